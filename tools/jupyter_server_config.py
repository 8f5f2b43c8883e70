"""JupyterLab settings of the collection, loaded by ``make lab`` (``--config``).

After every save, :func:`notebook_policy.refresh_git_after_save` tells git that a notebook
whose only changes are outputs and metadata is unchanged, so ``git pull`` keeps working.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_policy import refresh_git_after_save  # noqa: E402

c = get_config()  # noqa: F821 (provided by the Jupyter config loader)
c.FileContentsManager.post_save_hook = refresh_git_after_save
