"""Progress reports for long work: folds, grid points, path points.

Silent unless asked (``verbose``).  With ``verbose`` a tqdm bar is shown when
tqdm is installed, plain lines otherwise ("3/5 folds, 2.1 s, about 1.4 s left").
"""

import sys
import time


class Progress:
    """Count finished units of work and report them.

    Parameters
    ----------
    total : int
        Units expected.
    what : str
        What a unit is, plural ("folds", "grid points").
    verbose : bool or int
        Report when true.
    stream : file, default=sys.stderr
        Where plain lines go.
    """

    def __init__(self, total, what, verbose, stream=None):
        self.total, self.what, self.verbose = int(total), what, bool(verbose)
        self.done = 0
        self.start = time.perf_counter()
        self.stream = stream or sys.stderr
        self._bar = None
        if self.verbose:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=self.total, unit=what.rstrip("s") or what,
                                 desc=what, leave=True, file=self.stream)

    def update(self, n=1, info=""):
        """``n`` more units are done (``info``: a short note on the latest one)."""
        self.done += n
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.update(n)
            if info:
                self._bar.set_postfix_str(info)
            return
        elapsed = time.perf_counter() - self.start
        left = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        note = f" ({info})" if info else ""
        print(f"{self.done}/{self.total} {self.what}, {elapsed:.1f} s, about {left:.1f} s "
              f"left{note}", file=self.stream, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
