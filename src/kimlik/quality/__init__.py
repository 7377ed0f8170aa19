"""The data-quality report: completeness, validity, standardization, rejections, duplicates."""
