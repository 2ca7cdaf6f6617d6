package dev.edgellm.validate;

import java.nio.file.Files;

/** {@code files.json}: every JSON file of the folder parses as a JSON object. */
final class FilesJsonCheck implements Check {
  @Override
  public String id() {
    return "files.json";
  }

  @Override
  public String title() {
    return "JSON files are valid";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    int checked = 0;
    for (String name : ValidationContext.REQUIRED_JSON) {
      if (Files.isRegularFile(ctx.file(name))) {
        checked++;
        String error = ctx.jsonError(name);
        if (error != null) {
          out.error(name, error, "Fix the file, or stage again from the checkpoint");
        }
      }
    }
    if (checked == 0) {
      throw new SkipCheck("no JSON file to check (see files.present)");
    }
  }
}
