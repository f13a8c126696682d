# Thin wrappers over the Maven wrapper, so that a machine with only a JDK can build and test.
# -T1: two cores are shared with brokers and test JVMs; parallel module builds only thrash.
MVN ?= ./mvnw -B -T1

.DEFAULT_GOAL := help
.PHONY: help build test unit-test run cluster chaos bench bench-smoke clean tools node k8s verify-journal replay

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: node ## Compile and package every module, without running tests
	$(MVN) -DskipTests package
	@mkdir -p $(dir $(BUILD_STAMP)) && touch $(BUILD_STAMP)

test: tools node ## Run every test: unit tests (Surefire, *Test) and integration tests (Failsafe, *IT)
	$(MVN) verify

# promtool checks the metrics exposition, the Prometheus config and the alert rules' unit tests.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
tools: ## Install promtool, docker-compose, kubectl and Chromium (Debian packages) if they are missing; `make test` needs them
	@command -v promtool >/dev/null 2>&1 || { echo "installing promtool (Debian package prometheus)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends prometheus; }
	@command -v docker-compose >/dev/null 2>&1 || { echo "installing docker-compose (Debian package), to validate deploy/compose"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends docker-compose; }
	@command -v kubectl >/dev/null 2>&1 || { echo "installing kubectl (Debian package kubernetes-client), to render deploy/k8s"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends kubernetes-client; }
	@[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "installing Chromium and its driver (Debian packages), for the console's browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

# The console's bundle is built with the machine's Node.js and npm (packages from the npm registry): every build needs them.
node: ## Install Node.js and npm (Debian packages) if they are missing; building the console needs them
	@command -v node >/dev/null 2>&1 || { echo "installing Node.js (Debian package nodejs), to build the console"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends nodejs; }
	@command -v npm >/dev/null 2>&1 || { echo "installing npm (Debian package), to build the console"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends npm; }

unit-test: ## Run only the fast unit and topology tests
	$(MVN) test

LOCAL_STACK_CP := deploy/local/target/local-stack-0.1.0-SNAPSHOT.jar:deploy/local/target/lib/*
PROCESSOR_CP := streams-processor/target/streams-processor-0.1.0-SNAPSHOT.jar:streams-processor/target/lib/*

# `make run` and `make bench` rebuild only when a source, schema or pom changed since the last build: even with
# nothing to do, Maven's reactor takes about 9 s on two cores before the stack can start.
BUILD_STAMP := target/.build-stamp
BUILD_INPUTS := $(shell find pom.xml */pom.xml deploy/*/pom.xml */src deploy/*/src console/frontend/src \
  console/frontend/build.mjs console/frontend/package-lock.json -type f 2>/dev/null)

$(BUILD_STAMP): $(BUILD_INPUTS) | node
	$(MVN) -q -DskipTests package
	@mkdir -p $(@D) && touch $@

run: $(BUILD_STAMP) ## Build if needed, then start Kafka, PostgreSQL, the processor, the ingress and the Connect sinks (data in .paystream/)
	java -Xmx128m -cp '$(LOCAL_STACK_CP)' io.paystream.local.LocalStack

cluster: $(BUILD_STAMP) ## `make run` on a 3-broker KRaft cluster with 2 processors (replication 3, data in .paystream-cluster/)
	PAYSTREAM_BROKERS=3 java -Xmx128m -cp '$(LOCAL_STACK_CP)' io.paystream.local.LocalStack

chaos: node ## Fault-injection runs on one broker and on a 3-broker cluster: every scenario, 30+ faults; prints the tables
	$(MVN) -q -DskipTests install
	$(MVN) -pl deploy/local verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dit.test='ChaosIT,ClusterChaosIT' -Dpaystream.chaos=full

verify-journal: $(BUILD_STAMP) ## Verify the journal's hash chains in make run's PostgreSQL copy and topic; print the head to publish
	java -cp '$(PROCESSOR_CP)' io.paystream.processor.journal.JournalVerifier postgres jdbc:postgresql://127.0.0.1:15432/postgres postgres
	java -cp '$(PROCESSOR_CP)' io.paystream.processor.journal.JournalVerifier kafka 127.0.0.1:9092

replay: $(BUILD_STAMP) ## Replay make run's requests through this build under a shadow id; report what it decides otherwise (exit 1)
	PAYSTREAM_PROFILE=local PAYSTREAM_KAFKA_LOG_LEVEL=ERROR java -Xmx256m -cp '$(PROCESSOR_CP)' io.paystream.processor.ProcessorApplication replay $(REPLAY_ARGS) streams-processor/config.yml

k8s: $(BUILD_STAMP) ## Regenerate deploy/k8s's PrometheusRule and dashboards from observability/ (a test fails when they drift)
	java -cp '$(LOCAL_STACK_CP)' io.paystream.local.KubernetesResources .

BENCH_CP := bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*
BENCH_ARGS ?=

bench: $(BUILD_STAMP) ## Benchmark a fresh stack against the raw broker and a PostgreSQL ledger (about 10 min); one table + bench/results/
	java -Xmx768m -cp '$(BENCH_CP)' io.paystream.bench.Bench $(BENCH_ARGS)

bench-smoke: node ## The benchmark's short form against a real stack (about 3 min): every section reports, nothing is lost
	$(MVN) -q -DskipTests install
	$(MVN) -pl bench verify -Dbench.smoke.skip=false

clean: ## Remove build output and local data
	$(MVN) -q clean
	rm -rf .paystream .paystream-cluster
