// @ts-check
// The API reference page: Swagger UI (vendored, a classic script defining SwaggerUIBundle)
// over the hub's own OpenAPI document. Requests made from it ride on the console's session
// cookie, so a signed-in agent can try a call as themselves.

/** @type {any} */
const swagger = /** @type {any} */ (window).SwaggerUIBundle;
swagger({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger',
  deepLinking: true,
  tryItOutEnabled: false,
  defaultModelsExpandDepth: 0,
});
