r"""Parameter sharing: a 1-D convolution layer, its banded-matrix view, and Flatten.

A convolution is a dense layer whose weight matrix is *banded with tied entries*: every
output position uses the same small kernel, shifted. :class:`Conv1D` computes it
directly (im2col: all windows gathered into one matrix, then one matrix product);
:func:`tied_index` and :func:`conv_matrix` build the equivalent dense matrix, so that
a notebook can check that both give the same output and that the kernel gradient is
the sum of the gradients of the tied entries.

Shapes: one example per row, channels before positions (as PyTorch's ``Conv1d``).
A layer maps X (m, C_in, L) to (m, C_out, L_out) with

    L_out = (L + 2·padding − K) // stride + 1.

A 2-D input (m, L) is read as one channel, (m, 1, L), so that MNIST-1D's X (m, 40)
goes into ``fit`` unchanged (``fit`` wants 2-D inputs). :class:`Flatten` turns
(m, C, L) into (m, C·L) for a following :class:`~reglab.layers.Dense`; flattening is
channel-major: entry ``c·L + j`` is channel c at position j (``X.reshape(m, -1)``).

References: Goodfellow, Bengio & Courville (2016), *Deep Learning*, sections 7.9
(parameter tying and sharing) and 9.1–9.2; Greydanus & Kobak (2024), "Scaling down deep
learning with MNIST-1D" (a CNN of three convolutions reaches about 94 %).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import check_array, check_int
from .layers import Layer, initial_weights


def conv_output_length(length: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """L_out = (L + 2·padding − kernel_size) // stride + 1.

    Raises ValueError (naming ``length``) if the kernel does not fit in the padded input.
    """
    length = check_int("length", length, low=1)
    kernel_size = check_int("kernel_size", kernel_size, low=1)
    stride = check_int("stride", stride, low=1)
    padding = check_int("padding", padding, low=0)
    if length + 2 * padding < kernel_size:
        raise ValueError(f"length must be >= kernel_size - 2*padding = {kernel_size - 2 * padding} "
                         f"for a kernel of {kernel_size} with padding {padding}, got {length}")
    return (length + 2 * padding - kernel_size) // stride + 1


class Conv1D(Layer):
    r"""1-D convolution (cross-correlation, as in PyTorch and Keras: the kernel is not flipped).

    .. math::
        Z_{i,o,j} = b_o + \sum_{c=1}^{C_\text{in}}\sum_{k=0}^{K-1}
                    W_{o,c,k}\,\tilde X_{i,c,\,sj+k},\qquad
        \frac{\partial L}{\partial W_{o,c,k}} = \sum_{i,j}\delta_{i,o,j}\,\tilde X_{i,c,\,sj+k},
        \qquad \frac{\partial L}{\partial b_o} = \sum_{i,j}\delta_{i,o,j}

    where X̃ is X with ``padding`` zeros on both ends, s the stride, δ = ∂L/∂Z, and
    ∂L/∂X̃_{i,c,sj+k} collects W_{o,c,k} δ_{i,o,j} over every (o, j, k) that reads it.
    Plain text: z[i, o, j] = b[o] + sum_{c,k} W[o, c, k] * xpad[i, c, s*j + k].
    A true convolution would read xpad[i, c, s*j + K - 1 - k] (the kernel flipped);
    with learned kernels the two are equally expressive, so deep-learning libraries
    compute the cross-correlation and call it convolution.

    The same K·C_in·C_out kernel entries are used at every one of the L_out positions:
    a dense layer on the flattened input would need (C_in·L)·(C_out·L_out) weights.

    Shapes: X (m, C_in, L), or (m, L) when C_in = 1; W (C_out, C_in, K); b (C_out,);
    output (m, C_out, L_out), L_out = (L + 2·padding − K)//stride + 1.
    ``W`` is penalized by the norm penalties (see :func:`reglab.layers.is_weight`),
    ``b`` is not.

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int >= 1
    stride : int >= 1
        Distance between the starts of two consecutive windows.
    padding : int >= 0
        Zeros added at *each* end of every input signal.
    rng : numpy.random.Generator
        Draws the initial kernel.
    init : {"he", "xavier"}
        As :class:`~reglab.layers.Dense`, with fan-in C_in·K and fan-out C_out·K.
    dtype : numpy float dtype
        float64 (default, for gradient checks) or float32 for speed; the input is
        converted to it.

    References
    ----------
    Goodfellow et al. (2016), *Deep Learning*, sections 9.1–9.2; the PyTorch
    ``torch.nn.Conv1d`` documentation (same shapes and output length).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, stride: int = 1,
                 padding: int = 0, rng, init: str = "he", dtype=np.float64):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, low=1)
        self.out_channels = check_int("out_channels", out_channels, low=1)
        self.kernel_size = check_int("kernel_size", kernel_size, low=1)
        self.stride = check_int("stride", stride, low=1)
        self.padding = check_int("padding", padding, low=0)
        K = self.kernel_size
        W = initial_weights((self.out_channels, self.in_channels, K), self.in_channels * K,
                            self.out_channels * K, rng=rng, init=init, dtype=dtype)
        self.params = {"W": W, "b": np.zeros(self.out_channels, dtype=W.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cols = None

    def output_length(self, length: int) -> int:
        """L_out for an input of ``length`` positions."""
        return conv_output_length(length, self.kernel_size, self.stride, self.padding)

    def forward(self, X, *, train=False, rng=None):
        """Output (m, C_out, L_out) for real, finite X (m, C_in, L) (or (m, L) if C_in = 1)."""
        return self._forward(check_array("X", X), train, rng)

    def _forward(self, X, train=False, rng=None):
        X = np.asarray(X)
        input_2d = X.ndim == 2
        if input_2d and self.in_channels == 1:
            X = X[:, None, :]
        if X.ndim != 3 or X.shape[1] != self.in_channels:
            two_d = " or (m, L)" if self.in_channels == 1 else ""
            raise ValueError(f"X must have shape (m, {self.in_channels}, L){two_d} for "
                             f"in_channels={self.in_channels}, got {X.shape}")
        self._input_2d = input_2d  # set only once the input is accepted
        m, C, L = X.shape
        L_out = self.output_length(L)
        W = self.params["W"]
        p, s, K = self.padding, self.stride, self.kernel_size
        # positions before channels in memory: a window (K positions x C channels) is then
        # one contiguous run, and im2col copies m·L_out runs instead of gathering entries
        padded = np.zeros((m, L + 2 * p, C), dtype=W.dtype)
        padded[:, p:p + L] = X.transpose(0, 2, 1)
        windows = sliding_window_view(padded, K, axis=1)[:, : s * (L_out - 1) + 1: s]
        self._cols = windows.transpose(0, 1, 3, 2).reshape(m * L_out, K * C)  # im2col, (k, c)
        self._shape = (m, C, L, L_out)
        out = self._cols @ self._kernel_matrix()                      # (m·L_out, C_out)
        out += self.params["b"]
        # (m, C_out, L_out) as a view of the (m, L_out, C_out) result: no copy, and the next
        # convolution reads it in the positions-before-channels order it wants
        return out.reshape(m, L_out, self.out_channels).transpose(0, 2, 1)

    def _kernel_matrix(self) -> np.ndarray:
        """W (C_out, C_in, K) as the (K·C_in, C_out) matrix of im2col's (k, c) columns."""
        W = self.params["W"]
        return W.transpose(2, 1, 0).reshape(self.kernel_size * self.in_channels,
                                            self.out_channels)

    def backward(self, dout, *, input_grad: bool = True):
        """Fill ``grads``; return dL/dX (the input's shape), or None if not ``input_grad``."""
        shape = None if self._cols is None else (self._shape[0], self.out_channels,
                                                 self._shape[3])
        self._check_dout(dout, shape)
        m, C, L, L_out = self._shape
        K, s, p = self.kernel_size, self.stride, self.padding
        delta = dout.transpose(0, 2, 1).reshape(m * L_out, self.out_channels)
        dW = (delta.T @ self._cols).reshape(self.out_channels, K, C)  # (C_out, K, C_in)
        np.copyto(self.grads["W"], dW.transpose(0, 2, 1))
        np.sum(delta, axis=0, out=self.grads["b"])
        if not input_grad:
            return None
        dcols = (delta @ self._kernel_matrix().T).reshape(m, L_out, K, C)
        dX = np.zeros((m, L + 2 * p, C), dtype=dcols.dtype)
        for k in range(K):  # one strided add per kernel tap (K is small), none per position
            dX[:, k: k + s * (L_out - 1) + 1: s] += dcols[:, :, k]
        dX = dX[:, p: p + L].transpose(0, 2, 1)                        # (m, C, L)
        return dX[:, 0, :] if self._input_2d else dX

    def __repr__(self):
        return (f"Conv1D({self.in_channels}, {self.out_channels}, {self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, dtype={self.params['W'].dtype})")


class Flatten(Layer):
    """(m, C, L) -> (m, C·L), channel-major (entry c·L + j is channel c at position j).

    Backward reshapes the gradient back to (m, C, L). Any input with at least two
    dimensions is accepted; a 2-D input passes through unchanged.
    """

    _X = None  # the last forward's input

    def forward(self, X, *, train=False, rng=None):
        if np.ndim(X) < 2:
            raise ValueError(f"X must have at least 2 dimensions (m, ...), got shape "
                             f"{np.shape(X)}")
        self._X = X
        return X.reshape(X.shape[0], -1)

    def backward(self, dout):
        X = self._X
        self._check_dout(dout, None if X is None else (X.shape[0], int(np.prod(X.shape[1:]))))
        dX = dout.reshape(X.shape)
        if X.flags.c_contiguous:
            return dX
        # the gradient in the memory layout of the input (a convolution's output is a view
        # with positions before channels): one copy here, and the elementwise and matrix
        # work below reads arrays of one layout (a mixed-layout product is ~10x slower)
        like = np.empty_like(X)  # order "K": X's layout
        like[...] = dX
        return like


def tied_index(in_channels: int, out_channels: int, kernel_size: int, length: int, *,
               stride: int = 1, padding: int = 0) -> np.ndarray:
    """Which kernel entry each entry of the equivalent dense matrix is tied to.

    Returns an int array I of shape (C_in·L, C_out·L_out): I[r, q] is the flat index
    (into ``W.ravel()``, W of shape (C_out, C_in, K)) of the kernel entry at that place
    of the banded matrix, or −1 where the matrix is zero. Rows follow the flattened
    input (r = c·L + t), columns the flattened output (q = o·L_out + j), as
    :class:`Flatten` orders them. Entry (r, q) is W[o, c, k] with t = stride·j + k − padding.
    """
    C = check_int("in_channels", in_channels, low=1)
    n_out = check_int("out_channels", out_channels, low=1)
    K = check_int("kernel_size", kernel_size, low=1)
    L_out = conv_output_length(length, K, stride, padding)
    index = -np.ones((C, length, n_out, L_out), dtype=np.int64)
    c, o, j, k = np.meshgrid(np.arange(C), np.arange(n_out), np.arange(L_out), np.arange(K),
                             indexing="ij")
    t = stride * j + k - padding                       # the input position read by (j, k)
    inside = (t >= 0) & (t < length)                   # padded positions hold zeros
    flat = (o * C + c) * K + k                         # index into W.ravel()
    index[c[inside], t[inside], o[inside], j[inside]] = flat[inside]
    return index.reshape(C * length, n_out * L_out)


def conv_matrix(W: np.ndarray, length: int, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The banded dense matrix M of a convolution: flatten(conv(X)) = flatten(X) @ M + bias.

    W (C_out, C_in, K) -> M (C_in·L, C_out·L_out); every nonzero entry of M is a copy of
    one kernel entry (see :func:`tied_index`), so M has C_in·L·C_out·L_out entries but
    only C_out·C_in·K free parameters.
    """
    W = check_array("W", W, ndim=3)
    n_out, C, K = W.shape
    index = tied_index(C, n_out, K, length, stride=stride, padding=padding)
    return np.where(index >= 0, W.ravel()[np.maximum(index, 0)], 0.0).astype(W.dtype)
