"""The release: the in-memory candidate, the manifest, and the atomic writer."""
