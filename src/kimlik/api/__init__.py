"""HTTP delivery: routers that call the same services as the CLI, and the error mapping."""
