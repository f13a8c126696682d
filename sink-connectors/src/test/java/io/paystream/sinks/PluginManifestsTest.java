package io.paystream.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The workers run with {@code plugin.discovery=service_load}: Connect finds a plugin only through its
 * {@code META-INF/services} manifest, and a plugin class missing from it would fail the connector (or the REST
 * extension) that names it, at start. Every concrete plugin class of this module must be listed, and nothing else.
 */
class PluginManifestsTest {
    private static final Path CLASSES = Path.of("target/classes");

    @ParameterizedTest
    @ValueSource(classes = {SinkConnector.class, SourceConnector.class, Converter.class, HeaderConverter.class,
            Transformation.class, ConnectRestExtension.class})
    void everyPluginClassIsInItsManifest(Class<?> pluginType) throws Exception {
        Set<String> plugins = new TreeSet<>();
        for (String name : classNames()) {
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (pluginType.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(type.getModifiers())
                    && Modifier.isPublic(type.getModifiers())) {
                plugins.add(name);
            }
        }
        assertThat(manifest(pluginType)).as("META-INF/services/%s", pluginType.getName())
                .containsExactlyInAnyOrderElementsOf(plugins);
    }

    private static List<String> classNames() throws IOException {
        try (Stream<Path> files = Files.walk(CLASSES)) {
            return files.map(path -> CLASSES.relativize(path).toString())
                    .filter(name -> name.endsWith(".class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .collect(Collectors.toList());
        }
    }

    private static Set<String> manifest(Class<?> pluginType) throws IOException {
        Path file = CLASSES.resolve("META-INF/services/" + pluginType.getName());
        if (!Files.exists(file)) {
            return Set.of();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toSet());
        }
    }
}
