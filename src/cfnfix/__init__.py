"""cfnfix: repair AWS CloudFormation templates without disturbing the bytes nobody needed to change."""

__version__ = "0.1.0"
# Where the project's docs live; SARIF rules link their help here.
REPOSITORY = "https://github.com/cfnfix/cfnfix"

from .api import fix_file, fix_text, make_config  # noqa: E402 - the library entry points

__all__ = ["fix_file", "fix_text", "make_config"]
