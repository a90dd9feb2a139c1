"""Inline source of the Lambda behind ``Custom::S3BucketNotifications`` (see s3_notification_cycle).

Kept apart from the fixer so tests can parse and run it as the Lambda runtime would. It must
stay under 4096 characters: CloudFormation refuses longer ``ZipFile`` code.
"""

HANDLER_CODE = '''\
import hashlib
import json
import urllib.request

import boto3
from botocore.config import Config

s3 = boto3.client("s3", config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 2}))
KINDS = ("LambdaFunctionConfigurations", "QueueConfigurations", "TopicConfigurations")
EB = "EventBridgeConfiguration"


def handler(event, context):
    props = event.get("ResourceProperties") or {}
    bucket = props.get("BucketName", "")
    physical = event.get("PhysicalResourceId") or bucket + "-notifications"
    status, reason = "SUCCESS", ""
    try:
        kind = event["RequestType"]
        merge = str(props.get("Mode", "merge")).lower() != "replace"
        digest = hashlib.sha256(event["StackId"].encode()).hexdigest()[:8]
        prefix = "%s-%s-" % (event["LogicalResourceId"], digest)
        if kind == "Delete":
            wanted, old = {}, props.get("NotificationConfiguration") or {}
        else:
            physical = bucket + "-notifications"
            wanted = props.get("NotificationConfiguration") or {}
            old = (event.get("OldResourceProperties") or {}).get("NotificationConfiguration") or {}
        try:
            apply(bucket, wanted, old, prefix, merge)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if kind != "Delete" or code != "NoSuchBucket":
                raise
    except Exception as exc:
        status, reason = "FAILED", "%s: %s" % (type(exc).__name__, exc)
        print(reason)
    send(event, context, status, reason, physical)


def apply(bucket, wanted, old, prefix, merge):
    """Put our configurations on the bucket; in merge mode keep everyone else's."""
    current = {}
    if merge:
        current = s3.get_bucket_notification_configuration(Bucket=bucket)
        current.pop("ResponseMetadata", None)
    config = {}
    for kind in KINDS:
        kept = [c for c in current.get(kind, []) if not c.get("Id", "").startswith(prefix)]
        ours = [dict(c, Id="%s%s%d" % (prefix, kind[0], i)) for i, c in enumerate(wanted.get(kind) or [])]
        if kept or ours:
            config[kind] = kept + ours
    if EB in wanted or (EB in current and EB not in old):
        config[EB] = {}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)


def send(event, context, status, reason, physical):
    """Answer CloudFormation; without an answer the stack waits until the service timeout."""
    body = json.dumps({
        "Status": status,
        "Reason": (reason or "see log stream " + getattr(context, "log_stream_name", ""))[:1000],
        "PhysicalResourceId": physical or "s3-bucket-notifications",
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
    }).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    urllib.request.urlopen(request, timeout=30).close()
'''
