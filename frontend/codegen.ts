import type { CodegenConfig } from "@graphql-codegen/cli";

// The schema is the server's committed SDL; TIDINGS_SCHEMA overrides it (e.g. to check
// the frontend against a schema dumped from a running server).
const schema = process.env["TIDINGS_SCHEMA"] ?? "../schema.graphql";

const config: CodegenConfig = {
  schema,
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      // persistedDocuments: src/gql/persisted-documents.json (hash -> document), the file a
      // server locked with TIDINGS_TRUSTED_DOCUMENTS runs and nothing else (README).
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      config: {
        scalars: { DateTime: "string" },
        strictScalars: true,
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
      },
    },
  },
};

export default config;
