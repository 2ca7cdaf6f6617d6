// A Hugging Face Hub on 127.0.0.1 for the hub ITs, started by an IT's setup.groovy in the Invoker's JVM
// (it serves while the IT's Maven build runs in its own process) and stopped by its verify.groovy.
// It serves one folder as one repository at one commit, as the Hub does:
//   GET  /api/models/ORG/NAME/revision/REV        -> {"id", "sha", "siblings": [{"rfilename"}]}
//   HEAD|GET /ORG/NAME/resolve/REV/FILE           -> small files: 200, ETag = git blob SHA-1, X-Repo-Commit
//                                                    *.safetensors (LFS): 302 to a CDN on another port,
//                                                    X-Linked-Etag = SHA-256, X-Linked-Size, X-Repo-Commit
//   GET  http://127.0.0.1:CDNPORT/blobs/SHA256     -> the bytes, with Range (206)
// A token, when set, is required on the Hub and recorded wherever it arrives; dropFirstAfter makes the
// first CDN download of each file drop the connection after that many bytes.
// Load with: def H = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'FakeHub.groovy'))
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import groovy.json.JsonOutput
import java.security.MessageDigest

class FakeHub {
  HttpServer hub
  HttpServer cdn
  String repo
  String commit
  Map<String, byte[]> files = new TreeMap<>()
  String token
  long dropFirstAfter = -1
  Set<String> dropped = Collections.synchronizedSet(new HashSet<String>())
  List<Map> requests = Collections.synchronizedList(new ArrayList<Map>())

  static FakeHub start(File folder, String repo, String commit, String token = null, long dropFirstAfter = -1) {
    def h = new FakeHub(repo: repo, commit: commit, token: token, dropFirstAfter: dropFirstAfter)
    folder.eachFile(groovy.io.FileType.FILES) { f -> h.files[f.name] = f.bytes }
    def any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
    h.hub = HttpServer.create(any, 0)
    h.cdn = HttpServer.create(any, 0)
    h.hub.createContext('/', { ex -> h.serveHub(ex) })
    h.cdn.createContext('/', { ex -> h.serveCdn(ex) })
    h.hub.start()
    h.cdn.start()
    return h
  }

  String endpoint() { "http://127.0.0.1:${hub.address.port}" }

  void stop() {
    hub.stop(0)
    cdn.stop(0)
  }

  static String hex(byte[] b) { b.encodeHex().toString() }

  static String sha256(byte[] data) { hex(MessageDigest.getInstance('SHA-256').digest(data)) }

  static String gitSha1(byte[] data) {
    def d = MessageDigest.getInstance('SHA-1')
    d.update("blob ${data.length}\u0000".getBytes('US-ASCII'))
    hex(d.digest(data))
  }

  private void record(String server, HttpExchange ex) {
    requests << [server: server, method: ex.requestMethod, path: ex.requestURI.rawPath,
                 range: ex.requestHeaders.getFirst('Range'), authorization: ex.requestHeaders.getFirst('Authorization')]
  }

  private void serveHub(HttpExchange ex) {
    try {
      record('hub', ex)
      String path = ex.requestURI.rawPath
      if (token != null && ex.requestHeaders.getFirst('Authorization') != "Bearer ${token}".toString()) {
        error(ex, 401, 'RepoNotFound')
        return
      }
      if (path == "/api/models/${repo}/revision/main".toString() || path == "/api/models/${repo}/revision/${commit}".toString()) {
        def body = JsonOutput.toJson([id: repo, sha: commit, siblings: files.keySet().collect { [rfilename: it] }])
        send(ex, 200, body.getBytes('UTF-8'))
        return
      }
      def m = path =~ "^/${java.util.regex.Pattern.quote(repo)}/resolve/(main|${commit})/(.+)\$"
      if (!m.matches()) {
        error(ex, 404, path.startsWith('/api/') ? 'RevisionNotFound' : 'EntryNotFound')
        return
      }
      String file = URLDecoder.decode(m.group(2), 'UTF-8')
      byte[] data = files[file]
      if (data == null) {
        error(ex, 404, 'EntryNotFound')
        return
      }
      ex.responseHeaders.set('X-Repo-Commit', commit)
      if (file.endsWith('.safetensors')) {
        String sha = sha256(data)
        ex.responseHeaders.set('X-Linked-Etag', "\"${sha}\"")
        ex.responseHeaders.set('X-Linked-Size', "${data.length}")
        ex.responseHeaders.set('Location', "http://127.0.0.1:${cdn.address.port}/blobs/${sha}?X-Amz-Signature=it")
        ex.sendResponseHeaders(302, -1)
        return
      }
      ex.responseHeaders.set('ETag', "\"${gitSha1(data)}\"")
      if (ex.requestMethod == 'HEAD') {
        ex.responseHeaders.set('Content-Length', "${data.length}")
        ex.sendResponseHeaders(200, -1)
        return
      }
      send(ex, 200, data)
    } finally {
      ex.close()
    }
  }

  private void serveCdn(HttpExchange ex) {
    boolean drop = false
    try {
      record('cdn', ex)
      String sha = ex.requestURI.rawPath - '/blobs/'
      def entry = files.find { k, v -> sha256(v) == sha }
      if (entry == null) {
        send(ex, 404, new byte[0])
        return
      }
      byte[] data = entry.value
      int from = 0
      String range = ex.requestHeaders.getFirst('Range')
      if (range != null) {
        from = (range =~ /bytes=(\d+)-/)[0][1] as int
        ex.responseHeaders.set('Content-Range', "bytes ${from}-${data.length - 1}/${data.length}")
      }
      ex.sendResponseHeaders(range != null ? 206 : 200, data.length - from)
      if (dropFirstAfter >= 0 && dropped.add(entry.key)) {
        ex.responseBody.write(data, from, (int) Math.min(dropFirstAfter, data.length - from))
        ex.responseBody.flush()
        drop = true
        // a handler that throws makes the server close the connection short of Content-Length
        throw new IOException('connection dropped on purpose')
      }
      ex.responseBody.write(data, from, data.length - from)
    } finally {
      if (!drop) {
        ex.close()
      }
    }
  }

  private static void error(HttpExchange ex, int status, String code) {
    ex.responseHeaders.set('X-Error-Code', code)
    send(ex, status, "{\"error\":\"${code}\"}".getBytes('UTF-8'))
  }

  private static void send(HttpExchange ex, int status, byte[] body) {
    if (ex.requestMethod == 'HEAD' || body.length == 0) {
      ex.sendResponseHeaders(status, -1)
      return
    }
    ex.sendResponseHeaders(status, body.length)
    ex.responseBody.write(body)
  }
}
