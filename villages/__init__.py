"""Divisions, villages, online shops, annual e-commerce reports and their certification as Taobao villages."""
