# The business users' web service (services/, dev.whyflow.web): a plain JVM, not a Flink job.
# Builds the services module and its dependencies in a Maven stage, then runs it on a JRE:
#   docker build -f deploy/docker/web.Dockerfile -t whyflow/web:0.1.0 .
# It reads WHYFLOW_KAFKA_BOOTSTRAP and WHYFLOW_WEB_PG_URL / _USER / _PASSWORD (a login in
# whyflow_web_writer, migration V14) and listens on WHYFLOW_WEB_PORT (58090) of WHYFLOW_WEB_HOST.
# (Not built in this repository's CI: its machines have no Docker engine.)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY sql sql
COPY embeddings embeddings
COPY jobs jobs
COPY udfs udfs
COPY services services
# one reactor run: the services module's runtime dependencies (the other modules' jars among them)
RUN mvn -B -q -pl services -am package dependency:copy-dependencies -DskipTests -DincludeScope=runtime \
      -DoutputDirectory=/app/lib \
 && cp services/target/whyflow-services-*.jar /app/lib/

FROM eclipse-temurin:17-jre
COPY --from=build /app/lib /opt/whyflow-web/lib
ENV WHYFLOW_WEB_HOST=0.0.0.0 \
    WHYFLOW_WEB_PORT=58090
EXPOSE 58090
USER 1000
ENTRYPOINT ["java", "-Xmx384m", "-Dlog4j2.configurationFile=whyflow/web/log4j2.xml", "-cp", "/opt/whyflow-web/lib/*", "dev.whyflow.web.WebService"]
