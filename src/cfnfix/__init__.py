"""cfnfix: repair AWS CloudFormation templates without disturbing the bytes nobody needed to change."""

__version__ = "0.1.0"
