package dev.edgellm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core never depends on Maven: only the mojo package {@code dev.edgellm.maven} may. */
class ArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.edgellm");

  @Test
  void coreDoesNotImportMaven() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.edgellm.maven..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.maven..", "org.codehaus.plexus..")
        .because("the core must stay usable without Maven; mojos are thin adapters")
        .check(classes);
  }

  @Test
  void propertiesAreOnlyConstants() {
    // the core names user properties from dev.edgellm.maven.Properties: it must stay Maven-free
    classes()
        .that()
        .haveFullyQualifiedName("dev.edgellm.maven.Properties")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java.lang", "dev.edgellm.maven")
        .check(classes);
  }
}
