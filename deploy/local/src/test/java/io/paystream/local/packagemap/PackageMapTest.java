package io.paystream.local.packagemap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map, checked on the compiled classes of every module on this class path (all but bench): packages
 * depend one way (no cycle between any two packages of io.paystream), an {@code internal} package is used only from
 * the package tree it belongs to, and the pure rule classes ({@code *Rules}) touch neither Kafka nor HTTP. Each rule
 * is also run on a fixture that breaks it, so a rule that could not fail would fail here.
 */
class PackageMapTest {
    /** Where a rule class may not reach: the decisions stay functions of records, testable without a broker. */
    static final String[] IO_PACKAGES = {"org.apache.kafka..", "jakarta.ws.rs..", "jakarta.servlet..",
        "java.net.http..", "org.apache.hc..", "io.dropwizard..", "org.eclipse.jetty..", "org.jdbi..", "java.sql.."};
    private static final String FIXTURE = "io.paystream.local.packagemap.fixture";

    private static JavaClasses production;
    private static JavaClasses fixture;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.paystream");
        fixture = new ClassFileImporter().importPackages(FIXTURE);
    }

    static ArchRule packagesDependOneWay(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }

    static List<ArchRule> internalStaysInItsTree(JavaClasses classes) {
        Set<String> internal = new TreeSet<>();
        for (JavaClass type : classes) {
            int at = type.getPackageName().indexOf(".internal");
            if (at > 0) {
                internal.add(type.getPackageName().substring(0, at));
            }
        }
        List<ArchRule> rules = new ArrayList<>();
        for (String tree : internal) {
            rules.add(noClasses().that().resideOutsideOfPackage(tree + "..").should().dependOnClassesThat()
                    .resideInAPackage(tree + ".internal..").as(tree + ".internal is used only from " + tree));
        }
        return rules;
    }

    static ArchRule rulesArePure() {
        return noClasses().that().haveSimpleNameEndingWith("Rules").should().dependOnClassesThat()
                .resideInAnyPackage(IO_PACKAGES).as("the *Rules classes touch neither Kafka nor HTTP nor a database");
    }

    @Test
    void everyModuleIsOnTheClassPath() {
        Set<String> roots = new TreeSet<>();
        production.forEach(type -> {
            String[] parts = type.getPackageName().split("\\.", -1);
            if (parts.length >= 3) {
                roots.add(parts[2]);
            }
        });
        assertThat(roots).contains("processor", "ingress", "sinks", "queries", "web", "schemas", "webhooks", "console",
                "acquirer", "local", "testing");
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        packagesDependOneWay("io.paystream").check(production);
    }

    @Test
    void internalPackagesAreUsedOnlyFromTheirOwnTree() {
        List<ArchRule> rules = internalStaysInItsTree(production);
        assertThat(rules).as("the internal packages found").isNotEmpty();
        rules.forEach(rule -> rule.check(production));
    }

    @Test
    void ruleClassesTouchNeitherKafkaNorHttp() {
        assertThat(production.stream().filter(type -> type.getSimpleName().endsWith("Rules")).count())
                .as("rule classes found").isGreaterThan(10);
        rulesArePure().check(production);
    }

    /** The same rules on classes that break them: each reports what it should. */
    @Test
    void theRulesFindACycleAnOutsiderInAnInternalPackageAndAnImpureRuleClass() {
        EvaluationResult cycle = packagesDependOneWay(FIXTURE).evaluate(fixture);
        assertThat(cycle.hasViolation()).isTrue();
        assertThat(cycle.getFailureReport().toString()).contains("fixture.cycle.a").contains("fixture.cycle.b");

        List<ArchRule> internal = internalStaysInItsTree(fixture);
        assertThat(internal).hasSize(1);
        EvaluationResult peeking = internal.get(0).evaluate(fixture);
        assertThat(peeking.hasViolation()).isTrue();
        assertThat(peeking.getFailureReport().toString()).contains("Peeker").contains("Hidden");

        EvaluationResult impure = rulesArePure().evaluate(fixture);
        assertThat(impure.hasViolation()).isTrue();
        assertThat(impure.getFailureReport().toString()).contains("ImpureRules").contains("org.apache.kafka");
    }
}
