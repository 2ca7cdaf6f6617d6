package dev.edgellm.hub;

import dev.edgellm.maven.Properties;
import java.net.http.HttpHeaders;

/**
 * Turns the Hub's error answers into messages that name the id and the fix. The Hub says what is
 * missing in {@code X-Error-Code} ({@code RepoNotFound}, {@code RevisionNotFound}, {@code
 * EntryNotFound}, {@code GatedRepo}); it answers 401 for a repository that does not exist or is
 * private, 403 for a gated one whose licence the token's user has not accepted.
 */
final class HubErrors {
  private HubErrors() {}

  static HubException of(
      HubSettings settings, HubId id, String file, int status, HttpHeaders headers, boolean api) {
    String code = headers.firstValue("X-Error-Code").orElse("");
    String page = settings.endpoint() + "/" + id.repo();
    String tokenFix =
        settings.hasToken()
            ? "the token in use ("
                + Properties.HUB_TOKEN
                + ", HF_TOKEN or the token file under HF_HOME) has no"
                + " access to it: check it at "
                + settings.endpoint()
                + "/settings/tokens"
            : "if it is private, set HF_TOKEN (or "
                + Properties.HUB_TOKEN
                + ", or log in with `hf auth login`)"
                + " to a token with read access";
    if ("GatedRepo".equals(code) || status == 403) {
      return new HubException(
          id.repo()
              + " is a gated repository (HTTP "
              + status
              + " from "
              + settings.endpoint()
              + "): accept its licence on "
              + page
              + " while logged in, then "
              + (settings.hasToken()
                  ? "make sure the token in use ("
                      + Properties.HUB_TOKEN
                      + ", HF_TOKEN or the token file under"
                      + " HF_HOME) belongs to that account"
                  : "set HF_TOKEN (or "
                      + Properties.HUB_TOKEN
                      + ") to a read token of that account"));
    }
    if ("RevisionNotFound".equals(code) || (api && status == 404 && !"RepoNotFound".equals(code))) {
      return new HubException(
          "Revision '"
              + id.revision()
              + "' of "
              + id.repo()
              + " not found on "
              + settings.endpoint()
              + " (HTTP "
              + status
              + "): use a branch, a tag or a 40-hex commit of the repository (see "
              + page
              + "/tree/main), or leave out @revision for main");
    }
    if ("RepoNotFound".equals(code) || status == 401) {
      return new HubException(
          "Repository "
              + id.repo()
              + " not found on "
              + settings.endpoint()
              + " (HTTP "
              + status
              + "): check the id (org/name, as in "
              + page
              + "); "
              + tokenFix
              + ". A folder of that name does not exist either");
    }
    if ("EntryNotFound".equals(code) || status == 404) {
      return new HubException(
          (file == null ? "A file" : file)
              + " not found in "
              + id
              + " on "
              + settings.endpoint()
              + " (HTTP "
              + status
              + "): the repository lists it but the Hub cannot serve it; try another revision");
    }
    String message = headers.firstValue("X-Error-Message").orElse("");
    return new HubException(
        "The Hub at "
            + settings.endpoint()
            + " answered HTTP "
            + status
            + (message.isEmpty() ? "" : " (" + message + ")")
            + " for "
            + (file == null ? id.toString() : file + " of " + id)
            + (status >= 500
                ? ": the Hub has a problem; try again later, or build offline from the cache with HF_HUB_OFFLINE=1"
                : ""));
  }
}
