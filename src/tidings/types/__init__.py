"""The schema's object types, one module per family, each built from store rows (`from_row`)."""
