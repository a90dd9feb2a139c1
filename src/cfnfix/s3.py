"""S3 buckets in a template: their policies, and which buckets receive server access logs."""

from __future__ import annotations

from typing import Any

from .document import Document
from .graph import references
from .memo import cached
from .policy_document import service_principals, statements
from .properties import properties

BUCKET = "AWS::S3::Bucket"
S3_LOG_PRINCIPAL = "logging.s3.amazonaws.com"


def names(value: Any) -> set[str]:
    """Logical names a value refers to (Ref, GetAtt, Sub)."""
    return {name for name, _ in references(value)}


def bucket_policies(doc: Document, bucket: str) -> list[tuple[str, dict]]:
    """(logical id, properties) of every ``AWS::S3::BucketPolicy`` that names ``bucket``: by
    reference, or by the literal ``BucketName`` the bucket has."""
    literal = (properties(doc.resources.get(bucket)) or {}).get("BucketName")
    found = []
    for pid, props, target, named in cached(doc, "s3/bucket_policies", lambda: _policies(doc)):
        if bucket in named or (isinstance(literal, str) and target == literal):
            found.append((pid, props))
    return found


def _policies(doc: Document) -> list[tuple[str, dict, Any, set[str]]]:
    """(logical id, properties, Bucket, the names Bucket refers to) of every bucket policy."""
    out = []
    for pid, res in doc.resources_of_type("AWS::S3::BucketPolicy"):
        props = properties(res)
        if props is not None:
            out.append((pid, props, props.get("Bucket"), names(props.get("Bucket"))))
    return out


def logging_destinations(doc: Document) -> list[str]:
    """Buckets of this template that other buckets' ``LoggingConfiguration`` sends access logs
    to, most used first (ties in template order)."""
    counts: dict[str, int] = {}
    for rid, res in doc.resources_of_type(BUCKET):
        logging = (properties(res) or {}).get("LoggingConfiguration")
        if isinstance(logging, dict):
            for name in names(logging.get("DestinationBucketName")):
                if name != rid and isinstance(doc.resources.get(name), dict) and doc.resources[name].get("Type") == BUCKET:
                    counts[name] = counts.get(name, 0) + 1
    order = list(doc.resources)
    return sorted(counts, key=lambda n: (-counts[n], order.index(n)))


def access_log_targets(doc: Document) -> set[str]:
    """Buckets that receive S3 server access logs: named as a logging destination, granting the
    log delivery group write access (``AccessControl: LogDeliveryWrite``), or with a bucket policy
    that lets ``logging.s3.amazonaws.com`` write. Logging such a bucket would log its own logs."""
    found = set(logging_destinations(doc))
    for rid, res in doc.resources_of_type(BUCKET):
        props = properties(res) or {}
        if props.get("AccessControl") == "LogDeliveryWrite":
            found.add(rid)
        logging = props.get("LoggingConfiguration")
        if isinstance(logging, dict) and rid in names(logging.get("DestinationBucketName")):
            found.add(rid)  # logs to itself
    for _, res in doc.resources_of_type("AWS::S3::BucketPolicy"):
        props = properties(res) or {}
        if any(S3_LOG_PRINCIPAL in service_principals(s) for s in statements(props.get("PolicyDocument")) or []):
            found |= {n for n in names(props.get("Bucket")) if n in doc.resources}
    return found
