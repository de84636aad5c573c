/** asl-validator ships no types: its default export validates an Amazon States Language definition. */
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
    path?: string;
  }
  function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidationError[]; errorsText: (separator?: string) => string };
  export default validator;
}
