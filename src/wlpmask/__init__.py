"""wlpmask: layout and mask generator for wafer-level packaging."""

__version__ = "0.1.0"
