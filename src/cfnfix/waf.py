"""AWS WAF (WAFv2) facts fixers share: AWS managed rule group names and CloudWatch metric names."""

from __future__ import annotations

import re
from typing import Any

# AWS Managed Rules rule groups (VendorName AWS) that take no configuration and no charge beyond
# the web ACL's: the baseline, use-case and IP reputation groups of the AWS WAF Developer Guide
# ("AWS Managed Rules rule groups list").
FREE_RULE_GROUPS = frozenset({
    # baseline
    "AWSManagedRulesCommonRuleSet", "AWSManagedRulesAdminProtectionRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    # use-case specific
    "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet", "AWSManagedRulesPHPRuleSet", "AWSManagedRulesWordPressRuleSet",
    # IP reputation
    "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList",
})
# Groups billed per request that need (or commonly need) ManagedRuleGroupConfigs: Bot Control,
# account takeover prevention (ATP), account creation fraud prevention (ACFP), anti-DDoS.
CONFIGURED_RULE_GROUPS = frozenset({
    "AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
})

# The AWS WAF console names a managed rule group rule "AWS-<group name>".
_CONSOLE_PREFIX = "AWS-"


def managed_rule_group(rule_name: Any) -> str | None:
    """The AWS managed rule group a rule's Name names (``AWSManagedRulesSQLiRuleSet`` or the
    console's ``AWS-AWSManagedRulesSQLiRuleSet``), free or configured; None for any other name."""
    if not isinstance(rule_name, str):
        return None
    name = rule_name[len(_CONSOLE_PREFIX):] if rule_name.startswith(_CONSOLE_PREFIX) else rule_name
    return name if name in FREE_RULE_GROUPS or name in CONFIGURED_RULE_GROUPS else None


# VisibilityConfig.MetricName: AWS documents A-Z, a-z, 0-9, hyphen and underscore, 1 to 128
# characters (the schema's pattern ^[\w#:\.\-/]+$ accepts more), and reserves "All" and
# "Default_Action".
_METRIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
_RESERVED_METRIC_NAMES = frozenset({"All", "Default_Action"})


def metric_name_fits(name: Any) -> bool:
    """Whether ``name`` is a literal AWS WAF accepts as a CloudWatch metric name."""
    return isinstance(name, str) and bool(_METRIC_NAME.fullmatch(name)) and name not in _RESERVED_METRIC_NAMES
