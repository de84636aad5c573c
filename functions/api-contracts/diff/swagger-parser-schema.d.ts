// Declares swagger-parser's schema validator module, which the package ships without types: load.ts calls it
// directly because the package's validate() would first crawl the document for references all over again.

declare module '@apidevtools/swagger-parser/lib/validators/schema.js' {
  /** Throws a SyntaxError whose `details` are Ajv errors when the document does not match the OpenAPI schema. */
  const validateSchema: (api: unknown) => void;
  export default validateSchema;
}
