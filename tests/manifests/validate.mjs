// Every object of a rendered manifest against the Kubernetes OpenAPI schemas,
// offline (the kubernetes-models packages carry the schemas compiled).
//
// usage: node validate.mjs RENDER.yaml
//
// One line per invalid object: KIND/NAME: the schema's message. A kind with no
// schema here is an error, never skipped. A K8ssandraCluster (no schema
// package exists) is checked where it embeds Kubernetes types: each container
// and init container as a core/v1 Container, each extraVolumes volume as a
// core/v1 Volume and podSecurityContext as a core/v1 PodSecurityContext, at
// the cluster level and per datacenter. Exit 0 when every object is valid,
// 1 otherwise, 2 on bad input.
import { readFileSync } from "node:fs";
import YAML from "yaml";

async function schemaModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates =
    group === "monitoring.coreos.com"
      ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
      : [`kubernetes-models/${group ? `${group}/` : ""}${version}/${kind}`];
  for (const path of candidates) {
    try {
      const mod = await import(path);
      if (mod[kind]) return mod[kind];
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED")
        throw e;
    }
  }
  return null;
}

async function coreModel(kind) {
  return (await import(`kubernetes-models/v1/${kind}`))[kind];
}

function check(Model, data) {
  try {
    new Model(data).validate();
    return null;
  } catch (e) {
    return e.message;
  }
}

// The Kubernetes types a K8ssandraCluster embeds, with where they are.
function* k8ssandraParts(spec) {
  const cass = spec?.cassandra ?? {};
  const levels = [["spec.cassandra", cass]];
  (cass.datacenters ?? []).forEach((dc, i) => levels.push([`spec.cassandra.datacenters[${i}]`, dc]));
  for (const [where, level] of levels) {
    for (const field of ["containers", "initContainers"])
      for (const [i, c] of (level[field] ?? []).entries())
        yield [`${where}.${field}[${i}]`, "Container", c];
    for (const [i, v] of (level.extraVolumes?.volumes ?? []).entries())
      yield [`${where}.extraVolumes.volumes[${i}]`, "Volume", v];
    if (level.podSecurityContext)
      yield [`${where}.podSecurityContext`, "PodSecurityContext", level.podSecurityContext];
  }
}

async function validate(obj) {
  const name = `${obj.kind}/${obj.metadata?.name}`;
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string")
    return [`${name}: no apiVersion or kind`];
  if (obj.kind === "K8ssandraCluster" && obj.apiVersion === "k8ssandra.io/v1alpha1") {
    const errors = [];
    if (!obj.spec?.cassandra) errors.push(`${name}: spec.cassandra is required`);
    for (const [where, kind, data] of k8ssandraParts(obj.spec)) {
      const msg = check(await coreModel(kind), data);
      if (msg) errors.push(`${name}: ${where}: ${msg}`);
    }
    return errors;
  }
  const Model = await schemaModel(obj.apiVersion, obj.kind);
  if (!Model) return [`${name}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const msg = check(Model, obj);
  return msg ? [`${name}: ${msg}`] : [];
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error("usage: node validate.mjs RENDER.yaml");
    return 2;
  }
  let docs;
  try {
    docs = YAML.parseAllDocuments(readFileSync(argv[0], "utf8")).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    }).filter((d) => d);
  } catch (e) {
    console.error(`validate.mjs: ${argv[0]}: ${e.message}`);
    return 2;
  }
  let errors = [];
  for (const obj of docs) errors = errors.concat(await validate(obj));
  for (const e of errors) console.log(e);
  if (errors.length === 0) console.log(`validate: ${docs.length} objects valid`);
  return errors.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
