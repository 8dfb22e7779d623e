"""Kafka broker (and ZooKeeper) log templates, worded as Kafka 3.7 / ZooKeeper 3.8 write them.

Layout is the images' log4j pattern `[%d] %p %m (%c)%n` on stdout. Multi-line events (stack
traces, the LogCleaner statistics, the KafkaConfig dump) continue on lines starting with a tab or
a space, exactly as the real broker prints them.
Macros per broker: «self» (node id), «peer» (another broker), «data_dir», «host», «ip»,
«mygroup» / «mygroup_part» (a consumer group this broker coordinates), «cluster_id».
"""

from logadapt_assets.generate.engine import Step, Template, tpl


def k(level: str, msg: str, logger: str, tail: str = "") -> str:
    """One log4j event: `[time] LEVEL message (logger)` plus optional continuation lines."""
    line = f"[«ts:log4j»] {level} {msg} ({logger})"
    return f"{line}\n{tail}" if tail else line


def later(text: str, lo: float, hi: float, to: str | None = None) -> Step:
    return Step(text, to=to, after_ms=(lo, hi))


FETCH_TRACE = "\n".join(
    [
        "java.io.IOException: Connection to «peer» was disconnected before the response was read",
        "\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive("
        "NetworkClientUtils.java:99)",
        "\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:113)",
        "\tat kafka.server.RemoteLeaderEndPoint.fetch(RemoteLeaderEndPoint.scala:79)",
        "\tat kafka.server.AbstractFetcherThread.processFetchRequest("
        "AbstractFetcherThread.scala:316)",
        "\tat kafka.server.AbstractFetcherThread.$anonfun$maybeFetch$3("
        "AbstractFetcherThread.scala:130)",
        "\tat kafka.server.AbstractFetcherThread.$anonfun$maybeFetch$3$adapted"
        "(AbstractFetcherThread.scala:129)",
        "\tat scala.Option.foreach(Option.scala:437)",
        "\tat kafka.server.AbstractFetcherThread.maybeFetch(AbstractFetcherThread.scala:129)",
        "\tat kafka.server.AbstractFetcherThread.doWork(AbstractFetcherThread.scala:112)",
        "\tat kafka.server.ReplicaFetcherThread.doWork(ReplicaFetcherThread.scala:98)",
        "\tat org.apache.kafka.server.util.ShutdownableThread.run(ShutdownableThread.java:130)",
    ]
)

INVALID_RECEIVE_TRACE = "\n".join(
    [
        "org.apache.kafka.common.network.InvalidReceiveException: Invalid receive (size = "
        "«pick:1195725856|1347375956|369296128» larger than 104857600)",
        "\tat org.apache.kafka.common.network.NetworkReceive.readFrom(NetworkReceive.java:94)",
        "\tat org.apache.kafka.common.network.KafkaChannel.receive(KafkaChannel.java:452)",
        "\tat org.apache.kafka.common.network.KafkaChannel.read(KafkaChannel.java:402)",
        "\tat org.apache.kafka.common.network.Selector.attemptRead(Selector.java:674)",
        "\tat org.apache.kafka.common.network.Selector.pollSelectionKeys(Selector.java:576)",
        "\tat org.apache.kafka.common.network.Selector.poll(Selector.java:481)",
        "\tat kafka.network.Processor.poll(SocketServer.scala:1107)",
        "\tat kafka.network.Processor.run(SocketServer.scala:1011)",
        "\tat java.base/java.lang.Thread.run(Thread.java:840)",
    ]
)

IO_ERROR_TRACE = "\n".join(
    [
        "java.io.IOException: Input/output error",
        "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)",
        "\tat java.base/sun.nio.ch.FileDispatcherImpl.write(FileDispatcherImpl.java:62)",
        "\tat java.base/sun.nio.ch.IOUtil.writeFromNativeBuffer(IOUtil.java:132)",
        "\tat java.base/sun.nio.ch.IOUtil.write(IOUtil.java:97)",
        "\tat java.base/sun.nio.ch.FileChannelImpl.write(FileChannelImpl.java:290)",
        "\tat org.apache.kafka.common.record.MemoryRecords.writeFullyTo(MemoryRecords.java:92)",
        "\tat org.apache.kafka.common.record.FileRecords.append(FileRecords.java:188)",
        "\tat org.apache.kafka.storage.internals.log.LogSegment.append(LogSegment.java:257)",
        "\tat kafka.log.LocalLog.append(LocalLog.scala:425)",
        "\tat kafka.log.UnifiedLog.append(UnifiedLog.scala:942)",
        "\tat kafka.log.UnifiedLog.appendAsLeader(UnifiedLog.scala:735)",
        "\tat kafka.cluster.Partition.$anonfun$appendRecordsToLeader$1(Partition.scala:1357)",
        "\tat kafka.server.ReplicaManager.$anonfun$appendToLocalLog$6(ReplicaManager.scala:1287)",
        "\tat kafka.server.KafkaApis.handleProduceRequest(KafkaApis.scala:747)",
        "\tat kafka.server.KafkaApis.handle(KafkaApis.scala:182)",
        "\tat kafka.server.KafkaRequestHandler.run(KafkaRequestHandler.scala:154)",
        "\tat java.base/java.lang.Thread.run(Thread.java:840)",
    ]
)

LOG_CLEANER_STATS = (
    "[kafka-log-cleaner-thread-0]: \n"
    "\tLog cleaner thread 0 cleaned log «tp:offsets@p» (dirty section = [«int:1000:90000@d», "
    "«@d.plus40»])\n"
    "\t0.0 MB of log processed in 0.«int:0:9» seconds (0.«int:1:9» MB/sec).\n"
    "\tIndexed 0.0 MB in 0.0 seconds (0.«int:1:9» Mb/sec, «dec:30:70:1»% of total time)\n"
    "\tBuffer utilization: 0.0%\n"
    "\tCleaned 0.0 MB in 0.0 seconds (0.«int:1:9» Mb/sec, «dec:20:60:1»% of total time)\n"
    "\tStart size: 0.0 MB («int:20:400» messages)\n"
    "\tEnd size: 0.0 MB («int:1:19» messages)\n"
    "\t«dec:50:99:1»% size reduction («dec:50:99:1»% fewer messages)\n"
)

SEGMENT = (
    "LogSegment(baseOffset=«int:100000:900000@b», size=«int:1048576:1073741800», "
    "lastModifiedTime=«ago:604800000:700000000@lm», largestRecordTimestamp=Some(«@lm»))"
)

# --- steady state of every broker -------------------------------------------------------------

BROKER: list[Template] = [
    tpl(
        "kafka.log_roll",
        k(
            "INFO",
            "[LocalLog partition=«tp@p», dir=«data_dir»] Rolled new log segment at offset "
            "«grow:1200000:35@o» in «pick:0=6|1=3|2|3|5» ms.",
            "kafka.log.LocalLog",
        ),
        later(
            k(
                "INFO",
                "[ProducerStateManager partition=«@p»] Wrote producer snapshot at offset "
                "«@o» with «pick:0=5|1|2|3» producer ids in «int:1:9» ms.",
                "org.apache.kafka.storage.internals.log.ProducerStateManager",
            ),
            1,
            6,
        ),
        w=30,
    ),
    tpl(
        "kafka.log_retention",
        k(
            "INFO",
            f"[UnifiedLog partition=«tp@p», dir=«data_dir»] Deleting segment {SEGMENT} due "
            "to retention time 604800000ms breach based on the largest record timestamp in the "
            "segment",
            "kafka.log.UnifiedLog",
        ),
        later(
            k(
                "INFO",
                "[UnifiedLog partition=«@p», dir=«data_dir»] Incremented log start offset "
                "to «@b.plus20480» due to segment deletion",
                "kafka.log.UnifiedLog",
            ),
            1,
            5,
        ),
        later(
            k(
                "INFO",
                "[LocalLog partition=«@p», dir=«data_dir»] Deleting segment files "
                "LogSegment(baseOffset=«@b», size=«int:1048576:1073741800», "
                "lastModifiedTime=«@lm», largestRecordTimestamp=Some(«@lm»))",
                "kafka.log.LocalLog$",
            ),
            0.5,
            3,
        ),
        later(
            k(
                "INFO",
                "Deleted log «data_dir»/«@p»/«@b.pad20».log.deleted.",
                "org.apache.kafka.storage.internals.log.LogSegment",
            ),
            60000,
            60050,
        ),
        later(
            k(
                "INFO",
                "Deleted offset index «data_dir»/«@p»/«@b.pad20».index.deleted.",
                "org.apache.kafka.storage.internals.log.LogSegment",
            ),
            0.1,
            1,
        ),
        later(
            k(
                "INFO",
                "Deleted time index «data_dir»/«@p»/«@b.pad20».timeindex.deleted.",
                "org.apache.kafka.storage.internals.log.LogSegment",
            ),
            0.1,
            1,
        ),
        later(
            k(
                "INFO",
                "Deleted producer state snapshot «data_dir»/«@p»/«@b.pad20».snapshot.deleted",
                "org.apache.kafka.storage.internals.log.SnapshotFile",
            ),
            0.1,
            1,
        ),
        w=3,
    ),
    tpl(
        "kafka.log_retention_size",
        k(
            "INFO",
            f"[UnifiedLog partition=«tp:audit.log@p», dir=«data_dir»] Deleting segment "
            f"{SEGMENT} due to retention size 10737418240 breach. Log size after deletion will be "
            "«int:10000000000:10737418240».",
            "kafka.log.UnifiedLog",
        ),
        later(
            k(
                "INFO",
                "[UnifiedLog partition=«@p», dir=«data_dir»] Incremented log start offset "
                "to «@b.plus18211» due to segment deletion",
                "kafka.log.UnifiedLog",
            ),
            1,
            5,
        ),
        w=0.6,
    ),
    tpl(
        "kafka.log_cleaner",
        k("INFO", LOG_CLEANER_STATS, "kafka.log.LogCleaner"),
        w=2,
        flat=True,
    ),
    tpl(
        "kafka.offsets_expiry",
        k(
            "INFO",
            "[GroupMetadataManager brokerId=«self»] Removed «pick:0=20|1|2|4» expired "
            "offsets in «pick:0=3|1|2» milliseconds.",
            "kafka.coordinator.group.GroupMetadataManager",
        ),
        every=600,
    ),
    tpl(
        "kafka.group_rebalance",
        k(
            "INFO",
            "[GroupCoordinator «self»]: Preparing to rebalance group «mygroup» in state "
            "PreparingRebalance with old generation «grow:120:0.0004@g» (__consumer_offsets-"
            "«mygroup_part») (reason: Adding new member consumer-«mygroup»-«int:1:3»-«uuid@m» with "
            "group instance id None; client reason: rebalance failed due to "
            "MemberIdRequiredException)",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        later(
            k(
                "INFO",
                "[GroupCoordinator «self»]: Stabilized group «mygroup» generation "
                "«@g.plus1» (__consumer_offsets-«mygroup_part») with «mymembers» members",
                "kafka.coordinator.group.GroupCoordinator",
            ),
            3000,
            3100,
        ),
        later(
            k(
                "INFO",
                "[GroupCoordinator «self»]: Assignment received from leader "
                "consumer-«mygroup»-1-«uuid» for group «mygroup» for generation «@g.plus1». The "
                "group has «mymembers» members, 0 of which are static.",
                "kafka.coordinator.group.GroupCoordinator",
            ),
            5,
            40,
        ),
        w=0.5,
        flat=True,
    ),
    tpl(
        "kafka.group_dynamic_member",
        k(
            "INFO",
            "[GroupCoordinator «self»]: Dynamic member with unknown member id joins group "
            "«mygroup» in «pick:Stable|Empty» state. Created a new member id consumer-«mygroup»-"
            "«int:1:3»-«uuid» and request the member to rejoin with this id.",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        w=0.4,
        flat=True,
    ),
    tpl(
        "kafka.txn_init",
        k(
            "INFO",
            "[TransactionCoordinator id=«self»] Initialized transactionalId payments-tx-"
            "«int:0:5» with producerId «int:1000:1200» and producer epoch «int:0:60» on partition "
            "__transaction_state-«int:0:49»",
            "kafka.coordinator.transaction.TransactionCoordinator",
        ),
        w=3,
    ),
    tpl(
        "kafka.txn_marker",
        k(
            "INFO",
            "[Transaction Marker Request Completion Handler «self»]: Sending payments-tx-"
            "«int:0:5»'s transaction marker for partition «tp:payments.events» has failed with "
            "error org.apache.kafka.common.errors.NotLeaderOrFollowerException, retrying with "
            "current coordinator epoch «int:1:9»",
            "kafka.coordinator.transaction.TransactionMarkerRequestCompletionHandler",
        ),
        w=0.1,
        flat=True,
    ),
    tpl(
        "kafka.invalid_receive",
        k(
            "WARN",
            "[SocketServer listenerType=BROKER, nodeId=«self»] Unexpected error from "
            "/«ip:scanner@c» (channelId=«ip»:9092-«@c»:«port»-«int:1:400»); closing connection",
            "org.apache.kafka.common.network.Selector",
            INVALID_RECEIVE_TRACE,
        ),
        w=0.15,
        flat=True,
    ),
    tpl(
        "kafka.producer_expiration",
        k(
            "INFO",
            "[ProducerStateManager partition=«tp@p»] Wrote producer snapshot at offset "
            "«grow:1200000:35» with «int:1:4» producer ids in «int:1:9» ms.",
            "org.apache.kafka.storage.internals.log.ProducerStateManager",
        ),
        w=2,
    ),
    tpl(
        "kafka.log_start_offset",
        k(
            "INFO",
            "[UnifiedLog partition=«tp:audit.log», dir=«data_dir»] Incremented log start "
            "offset to «grow:400000:9» due to leader offset increment",
            "kafka.log.UnifiedLog",
        ),
        w=0.3,
    ),
    tpl(
        "kafka.log_start_breach",
        k(
            "INFO",
            f"[UnifiedLog partition=«tp:audit.log», dir=«data_dir»] Deleting segments due "
            f"to log start offset «grow:400000:9» breach: {SEGMENT}",
            "kafka.log.UnifiedLog",
        ),
        w=0.2,
    ),
    tpl(
        "kafka.producer_epoch",
        k(
            "ERROR",
            "[ReplicaManager broker=«self»] Error processing append operation on "
            "partition «tp:payments.events@p»",
            "kafka.server.ReplicaManager",
            "org.apache.kafka.common.errors.InvalidProducerEpochException: Epoch of producer "
            "«int:1000:1200» at offset «grow:1200000:35» in «@p» is «int:1:9@ep», which is smaller "
            "than the last seen epoch «@ep.plus1»",
        ),
        w=0.08,
        flat=True,
    ),
    tpl(
        "kafka.out_of_order",
        k(
            "ERROR",
            "[ReplicaManager broker=«self»] Error processing append operation on "
            "partition «tp:orders.events@p»",
            "kafka.server.ReplicaManager",
            "org.apache.kafka.common.errors.OutOfOrderSequenceException: Out of order sequence "
            "number for producer «int:1000:1200» at offset «grow:1200000:35» in partition «@p»: "
            "«int:50:900@seq» (incoming seq. number), «@seq.minus2» (current end sequence number)",
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "kafka.group_member_expired",
        k(
            "INFO",
            "[GroupCoordinator «self»]: Member consumer-«mygroup»-«int:1:3»-«uuid@m» in group "
            "«mygroup» has failed, removing it from the group",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        later(
            k(
                "INFO",
                "[GroupCoordinator «self»]: Preparing to rebalance group «mygroup» in state "
                "PreparingRebalance with old generation «grow:120:0.0004@g» (__consumer_offsets-"
                "«mygroup_part») (reason: removing member consumer-«mygroup»-1-«@m» on heartbeat "
                "expiration)",
                "kafka.coordinator.group.GroupCoordinator",
            ),
            0.1,
            1,
        ),
        later(
            k(
                "INFO",
                "[GroupCoordinator «self»]: Stabilized group «mygroup» generation "
                "«@g.plus1» (__consumer_offsets-«mygroup_part») with «mymembers» members",
                "kafka.coordinator.group.GroupCoordinator",
            ),
            3000,
            9000,
        ),
        w=0.08,
        flat=True,
    ),
    tpl(
        "kafka.group_empty",
        k(
            "INFO",
            "[GroupCoordinator «self»]: Group «mygroup» with generation «grow:120:0.0004» is "
            "now empty (__consumer_offsets-«mygroup_part»)",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        w=0.04,
        flat=True,
    ),
    tpl(
        "kafka.dynamic_config",
        k(
            "INFO",
            "[DynamicConfigPublisher broker id=«self»] Updating topic «pick:orders.events|"
            "payments.events|audit.log@t» with new configuration : «pick:retention.ms -> 604800000|"
            "max.message.bytes -> 2097152|min.insync.replicas -> 2»",
            "kafka.server.metadata.DynamicConfigPublisher",
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "kafka.metadata_roll",
        k(
            "INFO",
            "[LocalLog partition=__cluster_metadata-0, dir=«data_dir»] Rolled new log "
            "segment at offset «grow:80000:3@o» in «int:0:3» ms.",
            "kafka.log.LocalLog",
        ),
        later(
            k(
                "INFO",
                "[ProducerStateManager partition=__cluster_metadata-0] Wrote producer "
                "snapshot at offset «@o» with 0 producer ids in «int:1:6» ms.",
                "org.apache.kafka.storage.internals.log.ProducerStateManager",
            ),
            1,
            4,
        ),
        every=3600,
    ),
    tpl(
        "kafka.kraft_snapshot",
        k(
            "INFO",
            "«!grow:80000:3@o»[SnapshotGenerator id=«self»] Creating new KRaft snapshot "
            "file snapshot «@o.pad20»-0000000005 because we have replayed at least 20971520 bytes.",
            "org.apache.kafka.image.publisher.SnapshotGenerator",
        ),
        later(
            k(
                "INFO",
                "[SnapshotEmitter id=«self»] Successfully wrote snapshot «@o.pad20»-0000000005",
                "org.apache.kafka.image.publisher.SnapshotEmitter",
            ),
            40,
            400,
        ),
        every=5400,
    ),
]

# KRaft: the active controller also writes what it replays and decides.
CONTROLLER: list[Template] = [
    tpl(
        "kafka.controller_config",
        k(
            "INFO",
            "[QuorumController id=«self»] Replayed ConfigRecord for ConfigResource("
            "type=TOPIC, name='«pick:orders.events|payments.events|audit.log»') which set "
            "configuration «pick:retention.ms to 604800000|min.insync.replicas to 2|"
            "cleanup.policy to delete»",
            "org.apache.kafka.controller.ConfigurationControlManager",
        ),
        w=0.2,
        flat=True,
    ),
    tpl(
        "kafka.controller_create_topic",
        k(
            "INFO",
            "[QuorumController id=«self»] CreateTopics result(s): CreatableTopic(name="
            "'«pick:orders.dlq|payments.retry|inventory.dlq@t»', numPartitions=3, "
            "replicationFactor=3, assignments=[], configs=[]): SUCCESS",
            "org.apache.kafka.controller.ReplicationControlManager",
        ),
        later(
            k(
                "INFO",
                "[QuorumController id=«self»] Replayed TopicRecord for topic «@t» with "
                "topic ID «b64:16».",
                "org.apache.kafka.controller.ReplicationControlManager",
            ),
            0.2,
            1,
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "kafka.controller_partition_change",
        k(
            "INFO",
            "[QuorumController id=«self»] Replayed partition change PartitionChangeRecord("
            "partitionId=«int:0:11», topicId=«b64:16», isr=null, leader=-2, replicas=null, "
            "removingReplicas=null, addingReplicas=null, leaderRecoveryState=-1, directories=null, "
            "eligibleLeaderReplicas=null, lastKnownELR=null) for topic orders.events",
            "org.apache.kafka.controller.ReplicationControlManager",
        ),
        w=0.3,
        flat=True,
    ),
]

# ZooKeeper mode: the controller's periodic preferred-leader check (cp-kafka logs kafka.controller
# at TRACE on stdout), replacing the KRaft snapshot lines.
ZK_CONTROLLER: list[Template] = [
    tpl(
        "kafka.zk_auto_leader_balance",
        k(
            "INFO",
            "[Controller id=«self»] Processing automatic preferred replica leader election",
            "kafka.controller.KafkaController",
        ),
        later(
            k(
                "TRACE",
                "[Controller id=«self»] Checking need to trigger auto leader balancing",
                "kafka.controller.KafkaController",
            ),
            0.2,
            1,
        ),
        later(
            k(
                "DEBUG",
                "[Controller id=«self»] Topics not in preferred replica for broker 1 HashMap()",
                "kafka.controller.KafkaController",
            ),
            0.2,
            1,
        ),
        later(
            k(
                "TRACE",
                "[Controller id=«self»] Leader imbalance ratio for broker 1 is 0.0",
                "kafka.controller.KafkaController",
            ),
            0.1,
            0.5,
        ),
        later(
            k(
                "DEBUG",
                "[Controller id=«self»] Topics not in preferred replica for broker 2 HashMap()",
                "kafka.controller.KafkaController",
            ),
            0.1,
            0.5,
        ),
        later(
            k(
                "TRACE",
                "[Controller id=«self»] Leader imbalance ratio for broker 2 is 0.0",
                "kafka.controller.KafkaController",
            ),
            0.1,
            0.5,
        ),
        later(
            k(
                "DEBUG",
                "[Controller id=«self»] Topics not in preferred replica for broker 3 HashMap()",
                "kafka.controller.KafkaController",
            ),
            0.1,
            0.5,
        ),
        later(
            k(
                "TRACE",
                "[Controller id=«self»] Leader imbalance ratio for broker 3 is 0.0",
                "kafka.controller.KafkaController",
            ),
            0.1,
            0.5,
        ),
        every=300,
    ),
]

# Broker with kafka.request.logger=DEBUG: one JSON "Completed request" per request.
_CONN = "«ip»:9092-«ip:apps@c»:«port»-«int:1:900»"
_TAIL = (
    '"securityProtocol":"PLAINTEXT","principal":"User:ANONYMOUS","listener":"PLAINTEXT",'
    '"clientInformation":{"softwareName":"«pick:apache-kafka-java=3|franz-go|sarama»",'
    '"softwareVersion":"«pick:3.7.0|1.17.1|1.43.2»"}}'
)


def _request(
    api: int, version: str, name: str, client: str, request: str, response: str, total: str
) -> str:
    return k(
        "DEBUG",
        'Completed request:{"isForwarded":false,"requestHeader":{"requestApiKey":'
        f'{api},"requestApiVersion":{version},"correlationId":«int:1:9000000»,"clientId":'
        f'"{client}","requestApiKeyName":"{name}"}},"request":{request},"response":{response},'
        f'"connection":"{_CONN}","totalTimeMs":{total},"requestQueueTimeMs":«dec:0:0.2:3»,'
        '"localTimeMs":«dec:0:2:3»,"remoteTimeMs":«dec:0:3:3»,"throttleTimeMs":0,'
        '"responseQueueTimeMs":«dec:0:0.1:3»,"sendTimeMs":«dec:0:0.3:3»,' + _TAIL,
        "kafka.request.logger",
    )


REQUEST_LOG: list[Template] = [
    tpl(
        "kafka.request_produce",
        _request(
            0,
            "9",
            "PRODUCE",
            "«pick:orders-api|payments-worker-producer-1|inventory-svc»",
            '{"transactionalId":null,"acks":-1,"timeoutMs":30000,"topicData":[{"name":"«!tp@p»«@p.topic»",'
            '"partitionData":[{"index":«@p.part»,"recordsSizeInBytes":«int:200:16000»}]}]}',
            '{"responses":[{"name":"«@p.topic»","partitionResponses":[{"index":«@p.part»,'
            '"errorCode":0,"baseOffset":«grow:1200000:35»,"logAppendTimeMs":-1,"logStartOffset":'
            '«int:0:90000»,"recordErrors":[],"errorMessage":null}]}],"throttleTimeMs":0}',
            "«exp:2.5:3:0.4»",
        ),
        w=5,
    ),
    tpl(
        "kafka.request_fetch",
        _request(
            1,
            "15",
            "FETCH",
            "consumer-«group»-«int:1:3»",
            '{"replicaId":-1,"maxWaitMs":500,"minBytes":1,"maxBytes":52428800,"isolationLevel":0,'
            '"sessionId":«int:1000000:2000000000»,"sessionEpoch":«int:1:90000»,"topics":[],'
            '"forgottenTopicsData":[],"rackId":""}',
            '{"throttleTimeMs":0,"errorCode":0,"sessionId":«int:1000000:2000000000»,"responses":[]}',
            "«dec:490:505:3»",
        ),
        w=6,
    ),
    tpl(
        "kafka.request_metadata",
        _request(
            3,
            "12",
            "METADATA",
            "«pick:orders-api|consumer-payments-1|inventory-svc»",
            '{"topics":[{"topicId":"AAAAAAAAAAAAAAAAAAAAAA","name":"«!tp@p»«@p.topic»"}],'
            '"allowAutoTopicCreation":false,"includeTopicAuthorizedOperations":false}',
            '{"throttleTimeMs":0,"brokers":[{"nodeId":1,"host":"kafka-1","port":9092,"rack":null},'
            '{"nodeId":2,"host":"kafka-2","port":9092,"rack":null},{"nodeId":3,"host":"kafka-3",'
            '"port":9092,"rack":null}],"clusterId":"«cluster_id»","controllerId":«pick:1|2|3»,'
            '"topics":[{"errorCode":0,"name":"«@p.topic»","topicId":"«b64:16»","isInternal":false,'
            '"partitions":[],"topicAuthorizedOperations":-2147483648}]}',
            "«exp:0.4:3:0.05»",
        ),
        w=1,
    ),
    tpl(
        "kafka.request_offset_commit",
        _request(
            8,
            "8",
            "OFFSET_COMMIT",
            "consumer-«group@g»-«int:1:3»",
            '{"groupId":"«@g»","generationIdOrMemberEpoch":«int:12:300»,"memberId":"consumer-«@g»-1-'
            '«uuid»","groupInstanceId":null,"retentionTimeMs":-1,"topics":[{"name":"«!tp@p»«@p.topic»",'
            '"partitions":[{"partitionIndex":«@p.part»,"committedOffset":«grow:1200000:35»,'
            '"committedLeaderEpoch":«int:1:9»,"committedMetadata":""}]}]}',
            '{"throttleTimeMs":0,"topics":[{"name":"«@p.topic»","partitions":[{"partitionIndex":'
            '«@p.part»,"errorCode":0}]}]}',
            "«exp:3:3:0.5»",
        ),
        w=2,
    ),
    tpl(
        "kafka.request_heartbeat",
        _request(
            12,
            "4",
            "HEARTBEAT",
            "consumer-«group@g»-«int:1:3»",
            '{"groupId":"«@g»","generationId":«int:12:300»,"memberId":"consumer-«@g»-1-«uuid»",'
            '"groupInstanceId":null}',
            '{"throttleTimeMs":0,"errorCode":0}',
            "«exp:0.3:3:0.05»",
        ),
        w=2,
    ),
    tpl(
        "kafka.request_list_offsets",
        _request(
            2,
            "8",
            "LIST_OFFSETS",
            "«pick:consumer-payments-1|inventory-svc»",
            '{"replicaId":-1,"isolationLevel":0,"topics":[{"name":"«!tp@p»«@p.topic»","partitions":'
            '[{"partitionIndex":«@p.part»,"currentLeaderEpoch":«int:1:9»,"timestamp":-1}]}]}',
            '{"throttleTimeMs":0,"topics":[{"name":"«@p.topic»","partitions":[{"partitionIndex":'
            '«@p.part»,"errorCode":0,"timestamp":-1,"offset":«grow:1200000:35»,"leaderEpoch":'
            "«int:1:9»}]}]}",
            "«exp:0.5:3:0.1»",
        ),
        w=0.3,
    ),
    tpl(
        "kafka.request_api_versions",
        _request(
            18,
            "3",
            "API_VERSIONS",
            "«pick:orders-api|inventory-svc|adminclient-1»",
            '{"clientSoftwareName":"apache-kafka-java","clientSoftwareVersion":"3.7.0"}',
            '{"errorCode":0,"apiKeys":[],"throttleTimeMs":0,"supportedFeatures":[],'
            '"finalizedFeaturesEpoch":«int:1:400»,"finalizedFeatures":[],"zkMigrationReady":false}',
            "«exp:0.2:3:0.05»",
        ),
        w=0.3,
    ),
    tpl(
        "kafka.request_find_coordinator",
        _request(
            10,
            "4",
            "FIND_COORDINATOR",
            "consumer-«group@g»-«int:1:3»",
            '{"key":"","keyType":0,"coordinatorKeys":["«@g»"]}',
            '{"throttleTimeMs":0,"coordinators":[{"key":"«@g»","nodeId":«pick:1|2|3»,"host":'
            '"kafka-«pick:1|2|3»","port":9092,"errorCode":0,"errorMessage":null}]}',
            "«exp:0.3:3:0.05»",
        ),
        w=0.2,
    ),
]

# --- the ZooKeeper ensemble (ZooKeeper mode only) ----------------------------------------------

ZOOKEEPER: list[Template] = [
    tpl(
        "zookeeper.new_log",
        k(
            "INFO",
            "Creating new log file: log.«hex:5»",
            "org.apache.zookeeper.server.persistence.FileTxnLog",
        ),
        w=3,
    ),
    tpl(
        "zookeeper.snapshot",
        k(
            "INFO",
            "Snapshotting: 0x«hex:5@z» to /var/lib/zookeeper/data/version-2/snapshot.«@z»",
            "org.apache.zookeeper.server.persistence.FileTxnSnapLog",
        ),
        w=2,
    ),
    tpl(
        "zookeeper.purge",
        k("INFO", "Purge task started.", "org.apache.zookeeper.server.DatadirCleanupManager"),
        later(
            k(
                "INFO",
                "zookeeper.snapshot.trust.empty : false",
                "org.apache.zookeeper.server.persistence.FileTxnSnapLog",
            ),
            1,
            3,
        ),
        later(
            k("INFO", "Purge task completed.", "org.apache.zookeeper.server.DatadirCleanupManager"),
            2,
            30,
        ),
        every=3600,
    ),
    tpl(
        "zookeeper.conn_close",
        k(
            "INFO",
            "Closed socket connection for client /«ip:apps»:«port» which had sessionid "
            "0x10000«hex:9»",
            "org.apache.zookeeper.server.NIOServerCnxn",
        ),
        w=1,
        flat=True,
    ),
]

# --- incident pieces ---------------------------------------------------------------------------

SLOW_ROLL = tpl(
    "kafka.slow_roll",
    k(
        "INFO",
        "[LocalLog partition=«tp@p», dir=«data_dir»] Rolled new log segment at offset "
        "«grow:1200000:35» in «int:4000:9000» ms.",
        "kafka.log.LocalLog",
    ),
)
# the failing broker: a log dir failure halts the process (exit code 1)
LOG_DIR_FAILURE = tpl(
    "kafka.log_dir_failure",
    k(
        "ERROR",
        "Error while appending records to «tp» in dir «data_dir»",
        "org.apache.kafka.storage.internals.log.LogDirFailureChannel",
        IO_ERROR_TRACE,
    ),
    later(
        k(
            "WARN",
            "[ReplicaManager broker=«self»] Stopping serving replicas in dir «data_dir»",
            "kafka.server.ReplicaManager",
        ),
        1,
        4,
    ),
    later(
        k(
            "WARN",
            "[ReplicaManager broker=«self»] Broker «self» stopped fetcher for partitions "
            "and stopped moving logs for partitions  because they are in the failed log "
            "directory «data_dir».",
            "kafka.server.ReplicaManager",
        ),
        5,
        20,
    ),
    later(
        k(
            "ERROR",
            "Shutdown broker because all log dirs in «data_dir» have failed",
            "kafka.log.LogManager",
        ),
        5,
        30,
    ),
)
# survivors that follow a partition led by the dead broker
FETCH_DISCONNECT = tpl(
    "kafka.fetch_disconnect",
    k(
        "INFO",
        "[ReplicaFetcher replicaId=«self», leaderId=«peer», fetcherId=0] Error sending "
        "fetch request (sessionId=«int:100000000:2000000000@s», epoch=«int:100:90000@e») to node "
        "«peer»:",
        "org.apache.kafka.clients.FetchSessionHandler",
        FETCH_TRACE,
    ),
    later(
        k(
            "WARN",
            "[ReplicaFetcher replicaId=«self», leaderId=«peer», fetcherId=0] Error in "
            "response for fetch request (type=FetchRequest, replicaId=«self», maxWait=500, "
            "minBytes=1, maxBytes=10485760, fetchData={«@p»=PartitionData(topicId=«@tid», "
            "fetchOffset=«@o», logStartOffset=0, maxBytes=1048576, currentLeaderEpoch=Optional["
            "«@le»], lastFetchedEpoch=Optional[«@le»])}, isolationLevel=READ_UNCOMMITTED, "
            "removed=, replaced=, metadata=(sessionId=«@s», epoch=«@e»), rackId=)",
            "kafka.server.ReplicaFetcherThread",
            FETCH_TRACE,
        ),
        1,
        3,
    ),
)
FETCH_CONNECT_FAIL = tpl(
    "kafka.fetch_connect_fail",
    k(
        "WARN",
        "[ReplicaFetcher replicaId=«self», leaderId=«peer», fetcherId=0] Connection to node "
        "«peer» (kafka-«peer»/«@peer_ip»:9092) could not be established. Node may not be "
        "available.",
        "org.apache.kafka.clients.NetworkClient",
    ),
)
ISR_SHRINK = tpl(
    "kafka.isr_shrink",
    k(
        "INFO",
        "[Partition «@p» broker=«self»] Shrinking ISR from «@isr» to «@newisr». Leader: "
        "(highWatermark: «@hw», endOffset: «@o»). Out of sync replicas: (brokerId: «@gone», "
        "endOffset: «@hw», lastCaughtUpTimeMs: «ago:30000:31500»).",
        "kafka.cluster.Partition",
    ),
    later(
        k(
            "INFO",
            "[Partition «@p» broker=«self»] ISR updated to «@newisr» and version updated to «@pe»",
            "kafka.cluster.Partition",
        ),
        3,
        25,
    ),
)
ISR_EXPAND = tpl(
    "kafka.isr_expand",
    k(
        "INFO",
        "[Partition «@p» broker=«self»] Expanding ISR from «@newisr» to «@isr»",
        "kafka.cluster.Partition",
    ),
    later(
        k(
            "INFO",
            "[Partition «@p» broker=«self»] ISR updated to «@isr» and version updated "
            "to «@pe.plus1»",
            "kafka.cluster.Partition",
        ),
        3,
        25,
    ),
)
FENCE = tpl(
    "kafka.broker_fenced",
    k(
        "INFO",
        "[QuorumController id=«self»] Fencing broker «@gone» because its session has timed out.",
        "org.apache.kafka.controller.ReplicationControlManager",
    ),
    later(
        k(
            "INFO",
            "[QuorumController id=«self»] handleBrokerFenced: changing partition(s): «@parts»",
            "org.apache.kafka.controller.ReplicationControlManager",
        ),
        0.2,
        2,
    ),
    later(
        k(
            "INFO",
            "[QuorumController id=«self»] Replayed BrokerRegistrationChangeRecord "
            "modifying the registration for broker «@gone»: BrokerRegistrationChangeRecord("
            "brokerId=«@gone», brokerEpoch=«@epoch», fenced=1, inControlledShutdown=0, "
            "logDirs=[])",
            "org.apache.kafka.controller.ClusterControlManager",
        ),
        0.2,
        2,
    ),
)
ZK_BROKER_GONE = tpl(
    "kafka.zk_broker_failure",
    k(
        "INFO",
        "[Controller id=«self»] Newly added brokers: , deleted brokers: «@gone», bounced "
        "brokers: , all live brokers: «@alive»",
        "kafka.controller.KafkaController",
    ),
    later(
        k(
            "INFO",
            "[Controller id=«self»] Broker failure callback for «@gone»",
            "kafka.controller.KafkaController",
        ),
        0.5,
        3,
    ),
    later(
        k(
            "INFO",
            "[Controller id=«self»] Updated broker epochs cache: HashMap(«@epochs»)",
            "kafka.controller.KafkaController",
        ),
        0.5,
        3,
    ),
)
BECOME_LEADER = tpl(
    "kafka.leader_election",
    k(
        "INFO",
        "[Broker id=«self»] Transitioning «@count» partition(s) to local leaders.",
        "state.change.logger",
    ),
    later(
        k(
            "INFO",
            "[ReplicaFetcherManager on broker «self»] Removed fetcher for partitions Set(«@parts»)",
            "kafka.server.ReplicaFetcherManager",
        ),
        0.5,
        3,
    ),
)
LEADER_EPOCH = tpl(
    "kafka.leader_epoch",
    k(
        "INFO",
        "[Broker id=«self»] Leader «@p» with topic id Some(«@tid») starts at leader epoch "
        "«@le.plus1» from offset «@o» with partition epoch «@pe.plus1», high watermark «@hw», ISR "
        "[«@newisr»], adding replicas [] and removing replicas [] . Previous leader Some(«@gone») "
        "and previous leader epoch was «@le».",
        "state.change.logger",
    ),
)
ZK_LEADER_CHANGE = tpl(
    "kafka.zk_leader_change",
    k(
        "INFO",
        "[Controller id=«self» epoch=«int:3:9»] Changed partition «@p» from OnlinePartition "
        "to OnlinePartition with state LeaderAndIsr(leader=«@leader», leaderEpoch=«@le.plus1», "
        "isr=List(«@newisr_sp»), leaderRecoveryState=RECOVERED, partitionEpoch=«@pe.plus1»)",
        "state.change.logger",
    ),
)
UNFENCE = tpl(
    "kafka.broker_unfenced",
    k(
        "INFO",
        "[QuorumController id=«self»] Replayed RegisterBrokerRecord establishing a new "
        "incarnation of broker «@gone»: RegisterBrokerRecord(brokerId=«@gone», "
        "isMigratingZkBroker=false, incarnationId=«b64:16», brokerEpoch=«@epoch.plus1», "
        "endPoints=[BrokerEndpoint(name='PLAINTEXT', host='kafka-«@gone»', port=9092, "
        "securityProtocol=0)], features=[BrokerFeature(name='metadata.version', "
        "minSupportedVersion=1, maxSupportedVersion=19)], rack=null, fenced=true, "
        "inControlledShutdown=false, logDirs=[«b64:16»])",
        "org.apache.kafka.controller.ClusterControlManager",
    ),
    later(
        k(
            "INFO",
            "[QuorumController id=«self»] The request from broker «@gone» to unfence has "
            "been granted because it has caught up with the offset of its register broker "
            "record «@epoch.plus1».",
            "org.apache.kafka.controller.BrokerHeartbeatManager",
        ),
        1500,
        4000,
    ),
    later(
        k(
            "INFO",
            "[QuorumController id=«self»] Replayed BrokerRegistrationChangeRecord "
            "modifying the registration for broker «@gone»: BrokerRegistrationChangeRecord("
            "brokerId=«@gone», brokerEpoch=«@epoch.plus1», fenced=-1, inControlledShutdown=0, "
            "logDirs=[])",
            "org.apache.kafka.controller.ClusterControlManager",
        ),
        0.2,
        2,
    ),
)
ZK_BROKER_BACK = tpl(
    "kafka.zk_broker_back",
    k(
        "INFO",
        "[Controller id=«self»] Newly added brokers: «@gone», deleted brokers: , bounced "
        "brokers: , all live brokers: 1,2,3",
        "kafka.controller.KafkaController",
    ),
    later(
        k(
            "INFO",
            "[Controller id=«self»] New broker startup callback for «@gone»",
            "kafka.controller.KafkaController",
        ),
        0.5,
        3,
    ),
)
ZK_SESSION_EXPIRED = tpl(
    "zookeeper.session_expired",
    k(
        "INFO",
        "Expiring session 0x10000«hex:9», timeout of 18000ms exceeded",
        "org.apache.zookeeper.server.ZooKeeperServer",
    ),
)
PREFERRED_BACK = tpl(
    "kafka.preferred_leader",
    k(
        "INFO",
        "[Broker id=«self»] Transitioning «@count» partition(s) to local followers.",
        "state.change.logger",
    ),
    later(
        k(
            "INFO",
            "[ReplicaFetcherManager on broker «self»] Added fetcher to broker «@gone» for "
            "partitions HashMap(«@fetchstate»)",
            "kafka.server.ReplicaFetcherManager",
        ),
        1,
        5,
    ),
)

# the restarted broker: image entrypoint, JVM start, unclean log recovery, rejoin
ENTRYPOINT = tpl(
    "kafka.entrypoint",
    "===> User",
    later("uid=1000(appuser) gid=1000(appuser) groups=1000(appuser)", 1, 3),
    later("===> Setting default values of environment variables if not already set.", 5, 20),
    later("===> Configuring ...", 200, 400),
    later("===> Launching ... ", 300, 700),
    later("===> Using provided cluster id «cluster_id» ...", 200, 400),
)
ZK_ENTRYPOINT = tpl(
    "kafka.entrypoint",
    "===> User",
    later("uid=1000(appuser) gid=1000(appuser) groups=1000(appuser)", 1, 3),
    later("===> Configuring ...", 200, 400),
    later("Running in Zookeeper mode...", 1, 3),
    later("===> Running preflight checks ... ", 100, 300),
    later("===> Check if Zookeeper is healthy ...", 100, 300),
    later("===> Launching ... ", 300, 700),
    later("===> Launching kafka ... ", 100, 300),
)

KAFKA_CONFIG = {
    "advertised.listeners": "PLAINTEXT://kafka-«self»:9092",
    "auto.create.topics.enable": "false",
    "auto.leader.rebalance.enable": "true",
    "background.threads": "10",
    "broker.heartbeat.interval.ms": "2000",
    "broker.id": "«self»",
    "broker.session.timeout.ms": "9000",
    "compression.type": "producer",
    "controlled.shutdown.enable": "true",
    "controller.listener.names": "CONTROLLER",
    "controller.quorum.voters": "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093",
    "default.replication.factor": "3",
    "delete.topic.enable": "true",
    "group.initial.rebalance.delay.ms": "3000",
    "group.max.session.timeout.ms": "1800000",
    "inter.broker.listener.name": "PLAINTEXT",
    "leader.imbalance.check.interval.seconds": "300",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "listeners": "PLAINTEXT://:9092,CONTROLLER://:9093",
    "log.cleaner.enable": "true",
    "log.dirs": "«data_dir»",
    "log.flush.interval.messages": "9223372036854775807",
    "log.retention.check.interval.ms": "300000",
    "log.retention.hours": "168",
    "log.segment.bytes": "1073741824",
    "message.max.bytes": "1048588",
    "min.insync.replicas": "2",
    "node.id": "«self»",
    "num.io.threads": "8",
    "num.network.threads": "3",
    "num.partitions": "6",
    "num.recovery.threads.per.data.dir": "1",
    "offsets.retention.minutes": "10080",
    "offsets.topic.replication.factor": "3",
    "process.roles": "broker,controller",
    "replica.fetch.max.bytes": "1048576",
    "replica.lag.time.max.ms": "30000",
    "replica.socket.timeout.ms": "30000",
    "request.timeout.ms": "30000",
    "socket.receive.buffer.bytes": "102400",
    "socket.request.max.bytes": "104857600",
    "socket.send.buffer.bytes": "102400",
    "transaction.state.log.min.isr": "2",
    "transaction.state.log.replication.factor": "3",
    "unclean.leader.election.enable": "false",
    "zookeeper.connect": "null",
}
CONFIG_DUMP = "KafkaConfig values: \n" + "".join(
    f"\t{key} = {value}\n" for key, value in sorted(KAFKA_CONFIG.items())
)

STARTUP = tpl(
    "kafka.startup",
    k(
        "INFO",
        "Registered kafka:type=kafka.Log4jController MBean",
        "kafka.utils.Log4jControllerRegistration$",
    ),
    later(
        k(
            "INFO",
            "Setting -D jdk.tls.rejectClientInitiatedRenegotiation=true to disable "
            "client-initiated TLS renegotiation",
            "org.apache.zookeeper.common.X509Util",
        ),
        200,
        400,
    ),
    later(
        k(
            "INFO",
            "[ControllerServer id=«self»] Starting controller",
            "kafka.server.ControllerServer",
        ),
        200,
        600,
    ),
    later(
        k(
            "INFO",
            "[RaftManager id=«self»] Completed transition to FollowerState("
            "fetchTimeoutMs=2000, epoch=«int:5:9@re», leader=«peer», voters=[1, 2, 3], "
            "highWatermark=Optional.empty, fetchingSnapshot=Optional.empty) from Unattached("
            "epoch=«@re», voters=[1, 2, 3], electionTimeoutMs=«int:1000:2000»)",
            "org.apache.kafka.raft.QuorumState",
        ),
        100,
        400,
    ),
    later(k("INFO", CONFIG_DUMP, "kafka.server.KafkaConfig"), 100, 300),
    later(
        k(
            "INFO",
            "[BrokerServer id=«self»] Transition from SHUTDOWN to STARTING",
            "kafka.server.BrokerServer",
        ),
        100,
        300,
    ),
    later(
        k(
            "INFO",
            "[BrokerLifecycleManager id=«self»] Incarnation «b64:16» of broker «self» in "
            "cluster «cluster_id» is now STARTING.",
            "kafka.server.BrokerLifecycleManager",
        ),
        20,
        80,
    ),
    later(
        k("INFO", "Loading logs from log dirs ArraySeq(«data_dir»)", "kafka.log.LogManager"),
        50,
        200,
    ),
    later(
        k(
            "INFO",
            "Attempting recovery for all logs in «data_dir» since no clean shutdown file was found",
            "kafka.log.LogManager",
        ),
        1,
        5,
    ),
)
ZK_STARTUP = tpl(
    "kafka.startup",
    k(
        "INFO",
        "Registered kafka:type=kafka.Log4jController MBean",
        "kafka.utils.Log4jControllerRegistration$",
    ),
    later(k("INFO", "starting", "kafka.server.KafkaServer"), 200, 400),
    later(k("INFO", "Connecting to zookeeper on zookeeper:2181", "kafka.server.KafkaServer"), 1, 5),
    later(
        k(
            "INFO",
            "[ZooKeeperClient Kafka server] Initializing a new session to zookeeper:2181.",
            "kafka.zookeeper.ZooKeeperClient",
        ),
        1,
        5,
    ),
    later(
        k("INFO", "[ZooKeeperClient Kafka server] Connected.", "kafka.zookeeper.ZooKeeperClient"),
        20,
        80,
    ),
    later(
        k(
            "INFO",
            CONFIG_DUMP.replace("process.roles = broker,controller", "process.roles = ").replace(
                "zookeeper.connect = null", "zookeeper.connect = zookeeper:2181"
            ),
            "kafka.server.KafkaConfig",
        ),
        100,
        300,
    ),
    later(
        k("INFO", "Loading logs from log dirs ArraySeq(«data_dir»)", "kafka.log.LogManager"),
        50,
        200,
    ),
    later(
        k(
            "INFO",
            "Attempting recovery for all logs in «data_dir» since no clean shutdown file was found",
            "kafka.log.LogManager",
        ),
        1,
        5,
    ),
)
RECOVER_LOG = tpl(
    "kafka.log_recovery",
    k(
        "INFO",
        "[LogLoader partition=«@p», dir=«data_dir»] Recovering unflushed segment «@b». "
        "0/1 recovered for «@p».",
        "kafka.log.LogLoader",
    ),
    later(
        k(
            "INFO",
            "[LogLoader partition=«@p», dir=«data_dir»] Loading producer state till "
            "offset «@o» with message format version 2",
            "kafka.log.UnifiedLog$",
        ),
        5,
        60,
    ),
    later(
        k(
            "INFO",
            "[ProducerStateManager partition=«@p»] Wrote producer snapshot at offset «@o» "
            "with «pick:0|1|2» producer ids in «int:1:9» ms.",
            "org.apache.kafka.storage.internals.log.ProducerStateManager",
        ),
        1,
        9,
    ),
    later(
        k(
            "INFO",
            "Completed load of Log(dir=«data_dir»/«@p», topicId=«@tid», topic=«@p.topic», "
            "partition=«@p.part», highWatermark=«@hw», lastStableOffset=«@hw», logStartOffset=0, "
            "logEndOffset=«@o») with 1 segments, local-log-start-offset 0 and log-end-offset «@o» "
            "in «int:20:400»ms («@i»/«@total» completed in «data_dir»)",
            "kafka.log.LogManager",
        ),
        1,
        5,
    ),
)
STARTED = tpl(
    "kafka.started",
    k("INFO", "Loaded «@total» logs in «int:9000:30000»ms", "kafka.log.LogManager"),
    later(
        k("INFO", "Starting log cleanup with a period of 300000 ms.", "kafka.log.LogManager"), 1, 5
    ),
    later(
        k(
            "INFO",
            "Starting log flusher with a default period of 9223372036854775807 ms.",
            "kafka.log.LogManager",
        ),
        0.5,
        2,
    ),
    later(k("INFO", "Starting the log cleaner", "kafka.log.LogCleaner"), 1, 5),
    later(
        k("INFO", "[kafka-log-cleaner-thread-0]: Starting", "kafka.log.LogCleaner$CleanerThread"),
        1,
        5,
    ),
    later(
        k(
            "INFO",
            "[BrokerLifecycleManager id=«self»] Successfully registered broker «self» with "
            "broker epoch «@epoch.plus1»",
            "kafka.server.BrokerLifecycleManager",
        ),
        50,
        300,
    ),
    later(
        k(
            "INFO",
            "[BrokerLifecycleManager id=«self»] The broker has caught up. Transitioning "
            "from STARTING to RECOVERY.",
            "kafka.server.BrokerLifecycleManager",
        ),
        500,
        1500,
    ),
    later(
        k(
            "INFO",
            "[BrokerLifecycleManager id=«self»] The broker has been unfenced. "
            "Transitioning from RECOVERY to RUNNING.",
            "kafka.server.BrokerLifecycleManager",
        ),
        1500,
        4000,
    ),
    later(
        k(
            "INFO",
            "[BrokerServer id=«self»] Transition from STARTING to STARTED",
            "kafka.server.BrokerServer",
        ),
        50,
        200,
    ),
    later(
        k("INFO", "Kafka version: «kafka_version»", "org.apache.kafka.common.utils.AppInfoParser"),
        1,
        3,
    ),
    later(
        k("INFO", "Kafka commitId: «commit_id»", "org.apache.kafka.common.utils.AppInfoParser"),
        0.1,
        1,
    ),
    later(
        k(
            "INFO",
            "Kafka startTimeMs: «ts:epoch_ms»",
            "org.apache.kafka.common.utils.AppInfoParser",
        ),
        0.1,
        1,
    ),
    later(
        k(
            "INFO",
            "[KafkaRaftServer nodeId=«self»] Kafka Server started",
            "kafka.server.KafkaRaftServer",
        ),
        0.5,
        3,
    ),
)
ZK_STARTED = tpl(
    "kafka.started",
    k("INFO", "Loaded «@total» logs in «int:9000:30000»ms", "kafka.log.LogManager"),
    later(
        k("INFO", "Starting log cleanup with a period of 300000 ms.", "kafka.log.LogManager"), 1, 5
    ),
    later(k("INFO", "Starting the log cleaner", "kafka.log.LogCleaner"), 1, 5),
    later(
        k(
            "INFO",
            "Registered broker «self» at path /brokers/ids/«self» with addresses: "
            "PLAINTEXT://kafka-«self»:9092, czxid (broker epoch): «@epoch.plus1»",
            "kafka.zk.KafkaZkClient",
        ),
        50,
        300,
    ),
    later(
        k("INFO", "Kafka version: «kafka_version»", "org.apache.kafka.common.utils.AppInfoParser"),
        1,
        3,
    ),
    later(
        k("INFO", "Kafka commitId: «commit_id»", "org.apache.kafka.common.utils.AppInfoParser"),
        0.1,
        1,
    ),
    later(
        k(
            "INFO",
            "Kafka startTimeMs: «ts:epoch_ms»",
            "org.apache.kafka.common.utils.AppInfoParser",
        ),
        0.1,
        1,
    ),
    later(k("INFO", "[KafkaServer id=«self»] started", "kafka.server.KafkaServer"), 0.5, 3),
)
TRUNCATE = tpl(
    "kafka.follower_truncate",
    k(
        "INFO",
        "[ReplicaFetcher replicaId=«self», leaderId=«@leader», fetcherId=0] Truncating "
        "partition «@p» with TruncationState(offset=«@hw», completed=true) due to local high "
        "watermark «@hw»",
        "kafka.server.ReplicaFetcherThread",
    ),
    later(
        k(
            "INFO",
            "[UnifiedLog partition=«@p», dir=«data_dir»] Truncating to «@hw» has no effect "
            "as the largest offset in the log is «@hw.minus1»",
            "kafka.log.UnifiedLog",
        ),
        0.1,
        2,
    ),
)

# consumer group rebalance storm on the coordinator of the group
STORM_LEAVE = tpl(
    "kafka.rebalance_leave",
    k(
        "INFO",
        "[GroupCoordinator «self»]: Preparing to rebalance group «@group» in state "
        "PreparingRebalance with old generation «@gen» (__consumer_offsets-«@gpart») (reason: "
        "Removing member «@member» on LeaveGroup; client reason: «@reason»)",
        "kafka.coordinator.group.GroupCoordinator",
    ),
    later(
        k(
            "INFO",
            "[GroupCoordinator «self»]: Member MemberMetadata(memberId=«@member», "
            "groupInstanceId=None, clientId=«@client», clientHost=/«@host», "
            "sessionTimeoutMs=45000, rebalanceTimeoutMs=300000, supportedProtocols=List(range, "
            "cooperative-sticky)) has left group «@group» through explicit `LeaveGroup`; client "
            "reason: «@reason»",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        0.1,
        1,
    ),
)
STORM_REJOIN = tpl(
    "kafka.rebalance_rejoin",
    k(
        "INFO",
        "[GroupCoordinator «self»]: Dynamic member with unknown member id joins group "
        "«@group» in PreparingRebalance state. Created a new member id «@newmember» and request "
        "the member to rejoin with this id.",
        "kafka.coordinator.group.GroupCoordinator",
    ),
    later(
        k(
            "INFO",
            "[GroupCoordinator «self»]: Stabilized group «@group» generation «@gen.plus1» "
            "(__consumer_offsets-«@gpart») with «@members» members",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        3000,
        9000,
    ),
    later(
        k(
            "INFO",
            "[GroupCoordinator «self»]: Assignment received from leader «@newmember» for "
            "group «@group» for generation «@gen.plus1». The group has «@members» members, 0 of "
            "which are static.",
            "kafka.coordinator.group.GroupCoordinator",
        ),
        5,
        60,
    ),
)
