"""Tools for analysts that need no code: the offline explorer page and exports for Excel and Power BI."""
