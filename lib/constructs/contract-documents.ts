import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StewardFunction } from './steward-function.ts';

export interface ContractDocumentsProps {
  encryptionKey: IKey;
  removalPolicy: RemovalPolicy;
}

/**
 * OpenAPI documents (up to 10 MB, too large for a table item) and the compatibility reports frozen
 * at release (issue 11). The table keeps each document's digest and size; the bytes live here
 * under keys named by their digest, so an object is written once and never rewritten. Private,
 * KMS-encrypted with the stack's key, TLS only, versioned (a deleted or overwritten object can be
 * recovered), with access logs to a bucket of their own.
 */
export class ContractDocuments extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  private readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: ContractDocumentsProps) {
    super(scope, id);
    // Log delivery is allowed by a bucket policy (not an ACL) on the access log bucket.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const autoDelete = props.removalPolicy === RemovalPolicy.DESTROY;
    this.encryptionKey = props.encryptionKey;
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to an S3-managed-key bucket.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the contract bucket’s server access logs; logging it again would log the logs.',
    });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'contracts/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90) },
        // Direct uploads (issue 11 §1) are read once, when completed, and stored under their digest.
        { prefix: UPLOADS_PREFIX, expiration: Duration.days(1), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });
  }

  /**
   * Read and write objects under the two prefixes Steward uses (never list or delete), with the key
   * use S3 makes on the caller's behalf: GenerateDataKey to write, Decrypt to read.
   */
  grantReadWrite(fn: StewardFunction): void {
    const objects = PREFIXES.map((prefix) => `${this.bucket.bucketArn}/${prefix}*`);
    fn.addPolicy(
      'ContractDocuments',
      [
        new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: objects }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      ],
      objects.map((resource) => ({
        resource,
        reason:
          'Documents are objects named by their digest under this prefix: the function reads and writes any of them, and nothing else.',
      })),
    );
    fn.addEnvironment('CONTRACTS_BUCKET', this.bucket.bucketName);
  }

  /**
   * Direct uploads (issue 11 §1): the function presigns PUTs under `uploads/` (a presigned URL
   * acts with its signer's permissions, so it needs PutObject there) and reads what was uploaded
   * when the upload is completed. Under that prefix only; never list or delete.
   */
  grantUploads(fn: StewardFunction): void {
    const uploads = `${this.bucket.bucketArn}/${UPLOADS_PREFIX}*`;
    fn.addPolicy(
      'ContractUploads',
      [new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [uploads] })],
      [
        {
          resource: uploads,
          reason:
            'A direct upload is an object named by its upload id under this prefix, known only at run time: the function presigns its PUT and reads it once, and nothing else.',
        },
      ],
    );
  }
}

/** Key prefixes of the document store (functions/api-contracts/documents.ts). */
const PREFIXES = ['openapi/', 'reports/'];
/** Where documents too large for a Lambda request are PUT directly (functions/api-contracts/document-store.ts UPLOADS_PREFIX). */
const UPLOADS_PREFIX = 'uploads/';
