// swagger-ui-dist ships no types; its files are imported `with { type: 'file' }`, which yields a path.
declare module 'swagger-ui-dist/*' {
  const path: string;
  export default path;
}
