"""Sources: the systems customer data comes from (crm, webshop, pos, support, ...)."""
