/** An API failure with Toxiproxy's status code and message; serialised as {error, status}. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

// Toxiproxy's own messages, so clients that match on them behave the same against either server.
export const proxyNotFound = () => new ApiError('proxy not found', 404);
export const proxyAlreadyExists = () => new ApiError('proxy already exists', 409);
export const toxicNotFound = () => new ApiError('toxic not found', 404);
export const toxicAlreadyExists = () => new ApiError('toxic already exists', 409);
export const invalidToxicType = () => new ApiError('invalid toxic type', 400);
export const invalidStream = () => new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const missingField = (field: string) => new ApiError(`missing required field: ${field}`, 400);
export const badRequestBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
