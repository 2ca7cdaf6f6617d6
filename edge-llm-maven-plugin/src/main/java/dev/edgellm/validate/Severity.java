package dev.edgellm.validate;

/** How bad a finding is: errors fail the build, warnings are reported, infos only explain. */
public enum Severity {
  ERROR,
  WARNING,
  INFO
}
