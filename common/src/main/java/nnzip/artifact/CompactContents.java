package nnzip.artifact;

/** What a packed format 3 header holds. */
record CompactContents(Manifest manifest, Provenance provenance, CompactLayout layout) {}
