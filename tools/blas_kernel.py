"""Print the BLAS kernel and thread count that this environment really runs, and check them.

Usage::

    python tools/blas_kernel.py [--expect KERNEL] [--threads N]

OpenBLAS picks its kernel for the CPU at load time; ``OPENBLAS_CORETYPE=Sandybridge`` (or
``Nehalem``, ``Haswell``...) forces another one, and ``OPENBLAS_NUM_THREADS`` sets its
thread count. float32 training depends on both (the summation order), so `make
test-portable` runs the notebooks under kernels other than the machine's default. This
script loads numpy and scikit-learn (and with it SciPy, which may bundle an OpenBLAS of its
own) as the notebooks do, asks threadpoolctl which BLAS libraries are loaded, prints one
line per library, and exits with 1 when ``--expect`` or ``--threads`` is given and a loaded
OpenBLAS runs another kernel or thread count: a leg that claims a kernel runs under it.
"""

from __future__ import annotations

import argparse
import sys


def blas_libraries() -> list[dict]:
    import numpy  # noqa: F401  (loads numpy's OpenBLAS)
    import sklearn.linear_model  # noqa: F401  (loads SciPy's BLAS too)
    import threadpoolctl

    return [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expect", help="the OpenBLAS kernel every loaded OpenBLAS must run")
    parser.add_argument("--threads", type=int, help="the thread count it must use")
    args = parser.parse_args(argv)
    import numpy

    libraries = blas_libraries()
    problems = []
    for info in libraries:
        arch = info.get("architecture") or "?"
        print(f"BLAS: {info['internal_api']} {info.get('version')} ({info.get('prefix')}), "
              f"kernel {arch}, {info['num_threads']} thread(s); numpy {numpy.__version__}",
              flush=True)
        if info["internal_api"] != "openblas":
            continue
        if args.expect and arch.lower() != args.expect.lower():
            problems.append(f"{info.get('prefix')} runs the kernel {arch}, not {args.expect} "
                            "(is OPENBLAS_CORETYPE set, and can this CPU run that kernel?)")
        if args.threads and info["num_threads"] != args.threads:
            problems.append(f"{info.get('prefix')} runs {info['num_threads']} thread(s), "
                            f"not {args.threads}")
    if (args.expect or args.threads) and not any(i["internal_api"] == "openblas"
                                                 for i in libraries):
        problems.append("no OpenBLAS is loaded: the kernel cannot be forced")
    for problem in problems:
        print(f"BLAS: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
