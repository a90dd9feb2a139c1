"""The fixers, one module each; :mod:`cfnfix.registry` finds them here."""
