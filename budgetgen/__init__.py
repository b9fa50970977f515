"""budgetgen: a department's budget YAML in, the complete standardized disclosure (部门预算公开) out."""

__version__ = "0.1.0"
