"""OpenDataLocale: the platform of France's territorial open-data programme."""
