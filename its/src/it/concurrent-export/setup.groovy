// Starts a second Maven process that exports the same checkpoint into this IT's output folder; the
// invoker's build starts right after it. verify.groovy waits for it (second.rc holds its exit code).
def out = new File(basedir, 'target/edge-llm/model-fp32')
def second = new File(basedir, 'second')
second.mkdirs()
new File(second, 'pom.xml').text = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.edgellm.its</groupId>
  <artifactId>concurrent-export-second</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>dev.edgellm</groupId>
        <artifactId>edge-llm-maven-plugin</artifactId>
        <version>${pluginVersion}</version>
        <executions>
          <execution>
            <id>export</id>
            <phase>package</phase>
            <goals><goal>export</goal></goals>
            <configuration>
              <precision>fp32</precision>
              <checkpoint>${new File(itFixtures, 'tiny-gemma3').canonicalPath}</checkpoint>
              <output>${out.canonicalPath}</output>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
"""
def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').canonicalPath
def settings = new File(basedir.parentFile, 'interpolated-settings.xml').canonicalPath
def cmd = "\"${mvn}\" -B -s \"${settings}\" -Dmaven.repo.local=\"${localRepositoryPath}\" -f second/pom.xml package > second.log 2>&1; echo \$? > second.rc"
def pb = new ProcessBuilder('sh', '-c', cmd.toString()).directory(basedir)
pb.environment().put('ONNXRUNTIME_NODE_INSTALL', 'skip')
pb.start()
return true
