"""HTTP routes: commands (POST/PUT/DELETE), queries (GET, projections) and operations."""
