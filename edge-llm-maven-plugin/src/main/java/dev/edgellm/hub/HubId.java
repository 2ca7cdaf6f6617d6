package dev.edgellm.hub;

import java.util.regex.Pattern;

/**
 * A Hugging Face model repository and a revision: {@code org/name} (revision {@code main}) or
 * {@code org/name@revision}, where the revision is a branch, a tag or a 40-hex commit.
 *
 * @param repo {@code org/name}
 * @param revision a branch, tag or commit; {@code main} when the id names none
 */
public record HubId(String repo, String revision) {

  /** The revision of an id without {@code @}: huggingface_hub's default. */
  public static final String DEFAULT_REVISION = "main";

  private static final Pattern REPO =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public HubId {
    if (!looksLikeRepo(repo)) {
      throw new IllegalArgumentException("not a Hub repository id (org/name): " + repo);
    }
    if (revision == null
        || revision.isBlank()
        || revision.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("not a revision: '" + revision + "'");
    }
  }

  /**
   * Whether {@code text} has the form of a Hub id ({@code org/name} or {@code org/name@revision}):
   * letters, digits, {@code .}, {@code _} and {@code -} around exactly one {@code /}, no {@code --}
   * or {@code ..}. Says nothing about whether the repository exists.
   */
  public static boolean looksLikeId(String text) {
    if (text == null) {
      return false;
    }
    int at = text.indexOf('@');
    if (at == 0 || at == text.length() - 1) {
      return false;
    }
    String repo = at < 0 ? text : text.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : text.substring(at + 1);
    return looksLikeRepo(repo) && revision.chars().noneMatch(Character::isWhitespace);
  }

  private static boolean looksLikeRepo(String repo) {
    return repo != null
        && REPO.matcher(repo).matches()
        && !repo.contains("--")
        && !repo.contains("..")
        && !repo.endsWith(".")
        && !repo.endsWith("-");
  }

  /** Parses {@code org/name} or {@code org/name@revision}. */
  public static HubId parse(String text) {
    if (!looksLikeId(text)) {
      throw new IllegalArgumentException(
          "not a Hub id (org/name or org/name@revision): '" + text + "'");
    }
    int at = text.indexOf('@');
    return at < 0
        ? new HubId(text, DEFAULT_REVISION)
        : new HubId(text.substring(0, at), text.substring(at + 1));
  }

  /** Whether the revision is a full commit hash (then the cache needs no {@code refs/} entry). */
  public boolean isCommit() {
    return isCommit(revision);
  }

  static boolean isCommit(String revision) {
    return COMMIT.matcher(revision).matches();
  }

  /** The repository's name without its organisation, e.g. {@code functiongemma-270m-it}. */
  public String name() {
    return repo.substring(repo.indexOf('/') + 1);
  }

  /** The repository's folder in the cache: {@code models--org--name}. */
  public String cacheFolderName() {
    return "models--" + repo.replace("/", "--");
  }

  /** {@code org/name@revision}. */
  @Override
  public String toString() {
    return repo + "@" + revision;
  }
}
