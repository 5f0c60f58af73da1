"""csi: customer satisfaction index modelling.

The public API is re-exported here; see the documentation for each function.
"""

from csi._checks import CsiInputError

__version__ = "0.1.0"

__all__ = ["CsiInputError", "__version__"]
