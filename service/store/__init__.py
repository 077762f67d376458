"""The store: every read and write the service makes in its database, each write one
transaction that lands whole or not at all, one module per resource.

Its values are plain records (``Prospect``, ``Home``...), not ORM rows; its refusals are the
domain errors of ``service.exceptions``. The tables are in ``service.db.models``, the
connections in ``service.db.engine``, the schema's migrations in ``service.db.migrate``.
"""

from service.store.accounts import Account, AccountStore, SignedIn
from service.store.alerts import Alert, AlertStore, NewAlert, VillageChange
from service.store.allocations import AllocationStore, Proposed, quarter_of
from service.store.audit_log import AuditEntry, AuditLogStore
from service.store.base import utcnow
from service.store.committees import Committee, CommitteeStore
from service.store.exposure import ExposureKey, ExposureStore, exposure_second
from service.store.facts import FactStore, Proposal
from service.store.follow_up import FollowUpStore, FunnelInput, ProspectLine
from service.store.homes import Home, HomeStore, Listing
from service.store.keys import KeyStore
from service.store.needs import Need, NeedStore
from service.store.outcomes import Outcome, OutcomeStore, Recorded
from service.store.prospects import Contact, Prospect, ProspectStore, is_prospect_id
from service.store.weights import StoredWeights, WeightStore

__all__ = [
    "Account",
    "Alert",
    "AuditEntry",
    "Committee",
    "Contact",
    "ExposureKey",
    "FunnelInput",
    "Home",
    "Listing",
    "Need",
    "NewAlert",
    "Outcome",
    "Proposal",
    "Proposed",
    "Prospect",
    "ProspectLine",
    "Recorded",
    "SignedIn",
    "Store",
    "StoredWeights",
    "VillageChange",
    "exposure_second",
    "is_prospect_id",
    "quarter_of",
    "utcnow",
]


class Store(
    ProspectStore,
    OutcomeStore,
    HomeStore,
    WeightStore,
    KeyStore,
    AuditLogStore,
    ExposureStore,
    AccountStore,
    NeedStore,
    CommitteeStore,
    FactStore,
    AlertStore,
    AllocationStore,
    FollowUpStore,
):
    """One database: its engine, its sessions and every read and write the service makes."""
