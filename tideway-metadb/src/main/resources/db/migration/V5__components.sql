-- Tideway MetaDB, version 5: components and their configurations.
-- component: the running parts of a project (store, connector, full-import, checker), by their
-- stable id (e.g. shop-to-pg.connector.forward): kind, direction (forward/reverse, or NULL), the
-- node it last ran on (host name and IP), its lifecycle state and its position or checkpoint.
-- component_config: every version of a component's configuration (sections source, sink and
-- coordinator as JSON), who wrote it and when; the highest version is the one in force.
-- event.actor: who caused an event (the OS user of the CLI, the server's user); NULL for the engine.

CREATE TABLE component (
  id VARCHAR(200) NOT NULL,
  project_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  direction VARCHAR(16),
  node_host VARCHAR(255),
  node_ip VARCHAR(64),
  state VARCHAR(32) NOT NULL,
  position_text ${text_type},
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_component_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE INDEX ix_component_project ON component (project_id);

CREATE TABLE component_config (
  component_id VARCHAR(200) NOT NULL,
  config_version INT NOT NULL,
  sections_json ${text_type} NOT NULL,
  changed_by VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (component_id, config_version),
  CONSTRAINT fk_component_config_component FOREIGN KEY (component_id) REFERENCES component (id) ON DELETE CASCADE
)${table_options};

ALTER TABLE event ADD actor VARCHAR(255);
