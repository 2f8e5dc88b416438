import type { CodegenConfig } from "@graphql-codegen/cli";
import { Kind, visit, type DocumentNode, type FieldNode } from "graphql";

// The schema is the server's committed SDL; TIDINGS_SCHEMA overrides it (e.g. to check
// the frontend against a schema dumped from a running server).
const schema = process.env["TIDINGS_SCHEMA"] ?? "../schema.graphql";

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } };

/**
 * `__typename` in every selection set but an operation's root, as urql's cacheExchange adds it
 * to what it sends (`formatDocument`). Written into the documents themselves, the persisted
 * documents a locked server runs by hash answer what urql's text would, typenames included
 * (its cache invalidates by them), and urql has nothing left to add. (The client preset's
 * addTypenameSelectionDocumentTransform also adds it at query and mutation roots, where the
 * server would count it as a root field.)
 */
function withTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet(node, _key, parent) {
      const root =
        parent !== undefined && "kind" in parent && parent.kind === Kind.OPERATION_DEFINITION;
      const has = node.selections.some(
        (s) => s.kind === Kind.FIELD && s.name.value === "__typename" && !s.alias,
      );
      return root || has ? undefined : { ...node, selections: [...node.selections, TYPENAME] };
    },
  });
}

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
      documentTransforms: [
        {
          transform: ({ documents }) =>
            documents.map((file) => ({
              ...file,
              document: file.document && withTypenames(file.document),
            })),
        },
      ],
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
