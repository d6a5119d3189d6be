"""Pages and charts: each report's sections in words and layout, the house chart style, the
analysts' plot, explorer and workbook (told their figures; they read no files)."""
