package dev.edgellm.stage;

/** One file of a staged model: its path relative to the staged folder, size and SHA-256 (hex). */
public record StagedFile(String path, long size, String sha256) {}
