"""Theme packs: a theme-aware Jinja loader, theme settings and theme static files."""
