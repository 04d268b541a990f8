// Placeholder; the keyring helper fills this in.
