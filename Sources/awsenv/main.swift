import AwsenvCore
print("awsenv")
