"""Tamper evidence for the record (R24): hash chains and signed checkpoints (ADR 0011)."""

from kompetanse_domain.audit.chain import GENESIS, ChainLink, link_hash
from kompetanse_domain.audit.recompute import ChainRecomputer
from kompetanse_domain.audit.verify import RecordedLink, VerifyResult, verify_links

__all__ = [
    "GENESIS",
    "ChainLink",
    "ChainRecomputer",
    "RecordedLink",
    "VerifyResult",
    "link_hash",
    "verify_links",
]
