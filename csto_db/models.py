"""The models, for users: every table's class, its vocabularies and the fact tables by name,
as ``csto_db.store.models`` gathers them from the subject modules in ``csto_db/store/``."""

from .store.models import *  # noqa: F403  (every name in its __all__)
from .store.models import __all__ as __all__
