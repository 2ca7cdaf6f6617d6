package dev.edgellm.validate;

/**
 * One thing a check found: what is wrong, in which file (relative to the staged folder, or a path),
 * and how to fix it ({@code fix} may be empty for infos).
 */
public record Finding(Severity severity, String file, String message, String fix) {}
