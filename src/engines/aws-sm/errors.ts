// AWS Secrets Manager's error texts, one constructor each, so every action words them alike.
import { AwsError } from '../../util/aws-error.js';

export { AwsError };

/** The secret (or the version asked for) does not exist. */
export const secretNotFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const versionNotFound = (what: string) => new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);
export const markedForDeletion = () => new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
export const scheduledForDeletion = () => new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
export const alreadyExists = (name: string) => new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);
export const validation = (message: string) => new AwsError('ValidationException', message);
export const needToken = () => invalidRequest('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
export const invalidName = () => validation('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
