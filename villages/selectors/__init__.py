"""Read side of the villages app: who may see what, and the queries the pages and the API list."""
